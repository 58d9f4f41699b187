/** One named rule that fired, with its evidence; maps 1:1 onto the `Reason` proto message. */
export interface RuleHit {
  code: string;
  rule: string;
  detail: string;
  evidence: string[];
}
