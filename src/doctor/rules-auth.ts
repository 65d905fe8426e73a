// Doctor rules about password mode's traps (src/check/auth-health.ts): each names what is on the host, what Hermes
// does because of it, and the command that fixes it. Pure.
import { authIssues } from '../check/auth-health.js';
import type { HealthInput } from '../check/health-input.js';
import { signsIn } from '../hermes/access-mode.js';
import { problem, type Finding } from './finding.js';

export function authRules(i: HealthInput): Finding[] {
  if (!signsIn(i.state?.mode)) return [];
  return authIssues(i.facts).map((x) =>
    problem(x.id, x.detail, x.cause, `hermes-setup remote ${i.target} --no-update`),
  );
}
