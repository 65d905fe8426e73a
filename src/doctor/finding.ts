// A doctor finding: symptom → cause → fix (one command). Notes are printed but do not make doctor exit 3.
export interface Finding {
  id: string;
  symptom: string;
  cause: string;
  fix: string;
  severity: 'problem' | 'note';
}

export function problem(id: string, symptom: string, cause: string, fix: string): Finding {
  return { id, symptom, cause, fix, severity: 'problem' };
}

export function note(id: string, symptom: string, cause: string, fix: string): Finding {
  return { id, symptom, cause, fix, severity: 'note' };
}
