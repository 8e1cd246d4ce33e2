/**
 * Where the reminder scheduler plugs into the benchmark. Until it is wired, part 2 reports no
 * sweep cost and part 3 runs only the reference sender; the table says so.
 */
import type { DeliveryFactory } from './delivery.js';
import type { SweepProbe } from './inventory.js';

/** One reminder sweep over the inventory (part 2). */
export const sweepProbe: SweepProbe | undefined = undefined;

/** The app delivering due reminders through its scheduler (part 3). */
export const appDelivery: DeliveryFactory | undefined = undefined;
