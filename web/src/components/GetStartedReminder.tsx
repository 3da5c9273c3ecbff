import { Alert, Anchor, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { isHidden, loadFacts, setHidden, stepsOf } from '../onboarding.ts';
import { useSession } from '../session.tsx';

/** On the incident list until the account is set up (or the member hides it): how far set-up is. */
export function GetStartedReminder() {
  const { member } = useSession();
  const [left, setLeft] = useState<{ done: number; total: number }>();
  const [hidden, setHiddenState] = useState(() => isHidden(member));
  useEffect(() => {
    if (hidden) return;
    let current = true;
    loadFacts(member)
      .then((facts) => {
        const steps = stepsOf(facts);
        const done = steps.filter((s) => s.done).length;
        // Set up once, the list stops asking: no more look-ups on every visit to the start page.
        if (done === steps.length) setHidden(member, true);
        if (current) setLeft({ done, total: steps.length });
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [member, hidden]);
  if (hidden || !left || left.done === left.total) return null;
  return (
    <Alert
      color="blue"
      withCloseButton
      closeButtonLabel="Hide the set-up reminder"
      onClose={() => {
        setHidden(member, true);
        setHiddenState(true);
      }}
      data-testid="get-started-reminder"
    >
      <Text size="sm">
        Vigil is {left.done} of {left.total} steps from paging your team.{' '}
        {/* Darker than the default link blue: it sits on the alert's light-blue ground (axe contrast). */}
        <Anchor component={Link} href="/get-started" c="blue.9" fw={600}>
          Get started
        </Anchor>
      </Text>
    </Alert>
  );
}
