/*
 * Focus goes back to what opened a dialog when it closes (issue 23). Mantine returns focus only
 * for a Modal that was mounted closed and then opened; the console mounts many dialogs already
 * open (lazily, or under a condition) and unmounts them to close, and then the browser drops focus
 * on the page body, so a keyboard user starts again from the top. This watches the page: the last
 * control focused outside any dialog or menu is the opener; when a dialog had focus and focus is
 * then lost to the body, it goes back to the opener, or to the main region if the opener is gone.
 */

const OVERLAYS = '[role="dialog"], [role="alertdialog"], [role="menu"], [role="listbox"]';

export function returnFocusAfterDialogs(doc: Document = document): () => void {
  let opener: HTMLElement | undefined;
  let dialogHadFocus = false;
  const onFocusIn = (event: FocusEvent) => {
    const target = event.target;
    if (!(target instanceof HTMLElement)) return;
    if (target.closest('[role="dialog"], [role="alertdialog"]')) dialogHadFocus = true;
    else if (!target.closest(OVERLAYS) && target !== doc.body) {
      opener = target;
      dialogHadFocus = false;
    }
  };
  const restore = () => {
    if (!dialogHadFocus) return;
    const active = doc.activeElement;
    if (active && active !== doc.body && active.isConnected) return;
    if (doc.querySelector('[role="dialog"], [role="alertdialog"]')) return;
    dialogHadFocus = false;
    const target = opener?.isConnected ? opener : doc.getElementById('main');
    target?.focus({ preventScroll: true });
  };
  // Mantine's own return runs after 10 ms and a closing dialog fades out: check a little later.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const observer = new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(restore, 60);
  });
  doc.addEventListener('focusin', onFocusIn);
  observer.observe(doc.body, { childList: true, subtree: true });
  return () => {
    clearTimeout(timer);
    observer.disconnect();
    doc.removeEventListener('focusin', onFocusIn);
  };
}
