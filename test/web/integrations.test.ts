import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  alertmanagerSnippet,
  curlCommand,
  isPushType,
  shellQuote,
  testEventBody,
} from '../../web/src/integrations.ts';

/* The integration page's snippets: the curl test event and the Alertmanager receiver. */

const URL = 'https://vigil.example.com/event/push/alert/prometheus?integration_key=abc123';

describe('integration snippets', () => {
  it('quotes shell words so the shell reads them back unchanged', () => {
    for (const value of ["it's", 'a b $HOME `x` "y"', URL, '']) {
      const echoed = execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' });
      expect(echoed).toBe(value);
    }
  });

  it('builds a curl command that posts the type’s test event to the push URL', () => {
    const now = new Date(Date.UTC(2026, 0, 5, 9));
    const command = curlCommand(URL, 'alert.prometheus', now);
    expect(command.split('\n')[0]).toBe(`curl -sS -X POST '${URL}' \\`);
    expect(command).toContain("-H 'Content-Type: application/json'");
    // The shell hands curl exactly the JSON body (run through sh with curl replaced by printf).
    const args = execFileSync(
      'sh',
      ['-c', `curl() { for a in "$@"; do printf '%s\\n' "$a"; done; }; ${command}`],
      { encoding: 'utf8' },
    ).split('\n');
    expect(args[3]).toBe(URL);
    expect(JSON.parse(args[7]!)).toEqual(testEventBody('alert.prometheus', now));
    expect(testEventBody('alert.prometheus', now)).toMatchObject({
      alerts: [{ status: 'firing', startsAt: '2026-01-05T09:00:00.000Z' }],
    });
    expect(testEventBody('alert.standard')).toMatchObject({
      event_status: 'Warning',
      alert_key: 'vigil-test-alert',
    });
    expect(testEventBody('change.standard')).toMatchObject({
      change_status: 'Done',
      change_key: 'vigil-test-change',
    });
  });

  it('builds an Alertmanager receiver with the push URL and resolved notifications', () => {
    expect(alertmanagerSnippet(URL)).toBe(
      [
        'route:',
        "  receiver: 'vigil'",
        '',
        'receivers:',
        "  - name: 'vigil'",
        '    webhook_configs:',
        `      - url: '${URL}'`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    );
    // A quote inside a YAML single-quoted scalar is doubled.
    expect(alertmanagerSnippet("https://x/?k=it's", "o'clock")).toContain("url: 'https://x/?k=it''s'");
    expect(alertmanagerSnippet(URL, "o'clock")).toContain("- name: 'o''clock'");
  });

  it('knows which types take pushed events', () => {
    expect(isPushType('alert.standard')).toBe(true);
    expect(isPushType('webhook.incident')).toBe(false);
  });
});

describe('alert source snippets', () => {
  it('shows the SNS subscription for CloudWatch (no curl) and PagerDuty’s own paths', async () => {
    const { sourceSnippet, curlTestable } = await import('../../web/src/integrations.ts');
    const url = 'https://vigil.example/event/push/alert/aws/cloudwatch?integration_key=k1';
    expect(sourceSnippet('alert.aws-cloudwatch', url)?.code).toContain(`--notification-endpoint '${url}'`);
    expect(curlTestable('alert.aws-cloudwatch')).toBe(false);
    const pd = sourceSnippet(
      'alert.pagerduty',
      'https://vigil.example/event/push/alert/pagerduty?integration_key=k2',
    );
    expect(pd?.code).toContain('https://vigil.example/v2/enqueue  (routing_key: k2)');
    expect(pd?.code).toContain(
      'https://vigil.example/generic/2010-04-15/create_event.json  (service_key: k2)',
    );
    const n9e = sourceSnippet('alert.n9e', 'https://vigil.example/event/push/alert/n9e?integration_key=k3');
    expect(n9e?.code).toContain('Url = "https://vigil.example/event/push/alert/n9e?integration_key=k3"');
    const zabbix = sourceSnippet(
      'alert.zabbix',
      'https://vigil.example/event/push/alert/zabbix?integration_key=k4',
    );
    expect(zabbix?.code).toContain('URL: https://vigil.example/event/push/alert/zabbix?integration_key=k4');
    expect(zabbix?.hint).toContain('integrations/zabbix/vigil_media_type.yaml');
    expect(sourceSnippet('alert.grafana', 'https://x/')).toBeUndefined();
    expect(curlTestable('alert.grafana')).toBe(true);
  });

  it('shows the Datadog payload template and where Sentry and Uptime Kuma take the URL', async () => {
    const { sourceSnippet, curlTestable, testEventBody } = await import('../../web/src/integrations.ts');
    const dd = sourceSnippet(
      'alert.datadog',
      'https://vigil.example/event/push/alert/datadog?integration_key=k3',
    );
    expect(JSON.parse(dd!.code)).toMatchObject({
      alert_cycle_key: '$ALERT_CYCLE_KEY',
      alert_transition: '$ALERT_TRANSITION',
      alert_type: '$ALERT_TYPE',
    });
    const url = 'https://vigil.example/event/push/alert/sentry?integration_key=k4';
    expect(sourceSnippet('alert.sentry', url)?.code).toBe(url);
    expect(sourceSnippet('alert.uptime-kuma', 'https://x/?integration_key=k5')?.hint).toContain('Flashduty');
    for (const type of ['alert.datadog', 'alert.sentry', 'alert.uptime-kuma']) {
      expect(curlTestable(type)).toBe(true);
      expect(testEventBody(type)).toBeTypeOf('object');
    }
  });
});
