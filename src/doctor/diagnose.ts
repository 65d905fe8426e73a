// All doctor rules over one HealthInput. Pure.
import type { HealthInput } from '../check/health-input.js';
import type { Finding } from './finding.js';
import { accessRules } from './rules-access.js';
import { authRules } from './rules-auth.js';
import { networkRules } from './rules-network.js';
import { serviceRules } from './rules-service.js';
import { note } from './finding.js';
import { plain, statusColor, wrapLine } from '../output.js';
import type { View } from '../check/render-checks.js';

export function diagnose(i: HealthInput): Finding[] {
  const findings = [...serviceRules(i), ...accessRules(i), ...authRules(i), ...networkRules(i)];
  if (!i.state)
    findings.unshift(
      note(
        'not-converged',
        'no ~/.hermes/.hermes-setup-state.json',
        'hermes-setup never converged this host',
        `hermes-setup remote ${i.target}`,
      ),
    );
  const marker = i.facts.updateMarkerFile;
  if (i.facts.updateMarker)
    findings.push(
      note(
        'update-in-progress',
        `\`hermes update\` is running${marker ? ` (${marker.detail})` : ''}`,
        'the dashboard may be stopped on purpose',
        'wait, then run doctor again',
      ),
    );
  if (marker?.state === 'stale')
    findings.push(
      note(
        'stale-update-marker',
        `~/.hermes/.hermes-update-in-progress is stale (${marker.detail})`,
        'a `hermes update` crashed or was killed; Hermes and hermes-setup ignore a marker whose PID is gone or that is older than 20 minutes',
        'rm ~/.hermes/.hermes-update-in-progress',
      ),
    );
  return findings;
}

export function renderFinding(f: Finding, v: View = { c: plain }): string[] {
  const word = f.severity === 'problem' ? 'PROBLEM' : 'note';
  return [`${statusColor(v.c, word)(word)} ${f.id}: ${f.symptom}`, `  cause: ${f.cause}`, `  fix:   ${f.fix}`].flatMap(
    (l) => wrapLine(l, v.width, 9),
  );
}
