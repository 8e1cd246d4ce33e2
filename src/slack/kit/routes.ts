import type { App } from '@slack/bolt';
import type { ActionArgs, ViewArgs } from './args.js';

type Listener<A> = (args: A) => Promise<void>;

/** A regular expression matching exactly the given ids. */
function exactly(ids: Iterable<string>): RegExp {
  const escaped = [...ids].map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^(?:${escaped.join('|')})$`);
}

/**
 * The bot's action and view-submission listeners behind one Bolt listener per kind, each
 * handing a request to the listener registered for its action_id or callback_id.
 *
 * Why: Bolt runs the matching middleware of every registered listener on every request (a copy
 * of the listener arguments and a promise chain per listener), so the cost of a slash command
 * grew with the number of buttons and modals the bot has: with 28 listeners Bolt spent about
 * 0.37 ms more CPU per request than with one (BENCHMARKS.md, issue 16). Registered here, an
 * action or a submission still reaches exactly the listener for its id, and a slash command
 * passes two listeners instead of 28.
 */
export class ListenerRoutes {
  private readonly actions = new Map<string, Listener<ActionArgs>>();
  private readonly views = new Map<string, Listener<ViewArgs>>();

  /** The listener for block actions with this action_id. */
  action(actionId: string, listener: Listener<ActionArgs>): void {
    if (this.actions.has(actionId)) throw new Error(`two listeners for action '${actionId}'`);
    this.actions.set(actionId, listener);
  }

  /** The listener for submissions of the view with this callback_id. */
  view(callbackId: string, listener: Listener<ViewArgs>): void {
    if (this.views.has(callbackId)) throw new Error(`two listeners for view '${callbackId}'`);
    this.views.set(callbackId, listener);
  }

  /** Registers one Bolt listener per kind that has routes. */
  register(app: App): void {
    const actions = this.actions;
    const views = this.views;
    if (actions.size > 0) {
      app.action(exactly(actions.keys()), async (args) => {
        const id = 'action_id' in args.action ? args.action.action_id : undefined;
        const listener = id === undefined ? undefined : actions.get(id);
        if (listener) await listener(args);
      });
    }
    if (views.size > 0) {
      app.view(exactly(views.keys()), async (args) => {
        const listener = views.get(args.view.callback_id);
        if (listener) await listener(args);
      });
    }
  }
}
