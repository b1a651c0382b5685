/**
 * Drift tokens: how a change made in Alooma behind the code's back reaches
 * Terraform's plan. The synth-time live diff puts one token per stack into
 * the reconciler's triggers, so drift replaces the reconciler and the next
 * deploy re-applies.
 *
 * The token must not change again once the drift is corrected, or every
 * correction would cost a second, empty deploy. So each input contributes:
 * - when it differs from the code: a fingerprint of what is live now;
 * - when it is in sync: the fingerprint its last apply recorded in the
 *   ownership marker (`syncFingerprint`), i.e. the fingerprint of the state that
 *   apply corrected.
 * Before and after a correcting deploy the stack's token is therefore the
 * same, and the plan after it is clean.
 */
import { createHash } from 'node:crypto';
import { canonicalConfig, sortKeys } from '../../alooma/canonical';
import { InputPlan, LiveInput, Plan, readMarker } from './plan';
import type { InputSpec } from '../protocol';

/** Fingerprint of a live input as far as the code manages it (absent: `missing`). */
export function liveFingerprint(spec: InputSpec, live: LiveInput | undefined): string {
  if (!live) return 'missing';
  const seen = {
    configuration: canonicalConfig(live.configuration, Object.keys(spec.configuration)),
    paused: live.paused === true,
    type: live.type,
  };
  return createHash('sha256')
    .update(JSON.stringify(sortKeys(seen)))
    .digest('hex')
    .slice(0, 16);
}

/** What one input contributes to its stack's drift token. */
export function inputDriftContribution(input: InputPlan): string {
  if (!input.spec) return '';
  if (input.kind === 'unchanged') return readMarker(input.live!)?.syncFingerprint ?? '';
  if (input.kind === 'conflict') return `conflict:${input.live?.type ?? ''}`;
  return liveFingerprint(input.spec, input.live);
}

/** The stack's drift token: stable while live state and code agree. */
export function driftToken(plan: Plan): string {
  const parts = plan.inputs
    .filter((i) => i.spec)
    .map((i) => `${i.name}=${inputDriftContribution(i)}`)
    .sort();
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}
