// Fault injection for the interruption tests (docs/testing.md). Off unless HERMES_SETUP_FAULT is set:
//   HERMES_SETUP_FAULT=before:<step>:kill   SIGKILL this process before a step (also after:<step>)
//   HERMES_SETUP_FAULT=after:<step>:drop    drop the SSH connection after a step
//   HERMES_SETUP_FAULT=write:<file>:kill    send half of <file>'s bytes (a basename, e.g. .env), then SIGKILL
export type FaultAction = 'kill' | 'drop';

interface Droppable {
  dropConnection(): void;
}

function spec(): { kind: string; where: string; action: FaultAction } | undefined {
  const v = process.env.HERMES_SETUP_FAULT;
  const m = v ? /^(before|after|write):(.+):(kill|drop)$/.exec(v) : null;
  return m ? { kind: m[1]!, where: m[2]!, action: m[3] as FaultAction } : undefined;
}

export function triggerFault(action: FaultAction, remote: Droppable): void {
  if (action === 'kill') process.kill(process.pid, 'SIGKILL');
  remote.dropConnection();
}

export function faultAt(kind: 'before' | 'after', step: string, remote: Droppable): void {
  const s = spec();
  if (s && s.kind === kind && s.where === step) triggerFault(s.action, remote);
}

export function writeFault(path: string): FaultAction | undefined {
  const s = spec();
  return s && s.kind === 'write' && path.split('/').pop() === s.where ? s.action : undefined;
}
