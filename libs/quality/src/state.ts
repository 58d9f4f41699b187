import type { EventEnvelope } from '@handrail/contracts';
import { applyAutomationChange, emptyAutomation, type AutomationState } from '@handrail/decisions';
import { AREA } from '@handrail/events';

/**
 * The QA loop's own state, folded from `automation_changed` events: what is demoted, which pilots
 * stopped, and when each area (or pilot) last changed — only decisions after that count for the
 * next breaker verdict. The qa-sampler, the console and the CLI keep one each.
 */
export class LoopState {
  automation: AutomationState = emptyAutomation();
  readonly lastChangeAt = new Map<string, string>();

  apply(e: EventEnvelope): void {
    const p = e.payload;
    if (p?.$case !== 'automationChanged') return;
    this.automation = applyAutomationChange(this.automation, p.value, e.time);
    this.lastChangeAt.set(p.value.action === 'pilot_stop' ? `pilot:${p.value.pilot}` : (AREA.name(p.value.area) ?? ''), e.time);
  }
}
