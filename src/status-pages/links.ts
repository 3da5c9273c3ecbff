import { invalidParameter } from '../shared/app-error.ts';

/*
 * The URLs a page shows as links and images (logo, favicon, custom links). Only http(s): a
 * `javascript:` or `data:` link on the public page would run in its visitors' browsers. Checked when
 * saved, and again when rendered, for rows stored before the check existed.
 */

/** Case-insensitive `http://` or `https://` first: the schema's pattern (the service parses the rest). */
export const HTTP_URL_PATTERN = '^[Hh][Tt][Tt][Pp][Ss]?://';

export function isHttpUrl(value: string): boolean {
  if (!new RegExp(HTTP_URL_PATTERN).test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

type PageLinks = {
  logo?: string | null | undefined;
  dark_logo?: string | null | undefined;
  favicon?: string | null | undefined;
  logo_url?: string | null | undefined;
  custom_links?: readonly { url: string }[] | null | undefined;
};

/** Throws InvalidParameter naming the first link of a page create/update that is not an http(s) URL. */
export function checkPageLinks(input: PageLinks): void {
  for (const field of ['logo', 'dark_logo', 'favicon', 'logo_url'] as const) {
    const value = input[field];
    if (value && !isHttpUrl(value)) throw invalidParameter(field, 'must be an http:// or https:// URL');
  }
  input.custom_links?.forEach((link, i) => {
    if (!isHttpUrl(link.url)) {
      throw invalidParameter(`custom_links[${i}].url`, 'must be an http:// or https:// URL');
    }
  });
}
