import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  HTTPModuleFunctions,
  type App,
  type Logger as BoltLogger,
  type HTTPReceiver,
  type Receiver,
  type ReceiverEvent,
  type SocketModeReceiver,
} from '@slack/bolt';
import type { Logger } from '../logger.js';
import { guardSlackRequest } from './request-guard.js';
import type { Shedder } from './shed.js';

/** Runs one Slack request through Bolt: `process` hands the (possibly re-wrapped) event to the app. */
export type EventHook = (event: ReceiverEvent, process: (event: ReceiverEvent) => Promise<void>) => Promise<void>;

/**
 * A Receiver of our own that wraps one of Bolt's (Bolt's documented extension point for
 * receivers), instead of reassigning Bolt's or the receiver's methods:
 * - every event passes through `hook` on its way to the app (request context for logs, ack
 *   timing, in-flight counting), by handing the inner receiver a view of the app whose
 *   processEvent calls the hook; the App itself is untouched;
 * - in HTTP mode this receiver owns the HTTP server and calls the inner receiver's public
 *   `requestListener` (meant for your own server) after `guard`, for the Slack endpoint only;
 *   before that, `shed` may answer a request itself (overload: one already too old on arrival
 *   never reaches Bolt).
 */
export class WrappingReceiver implements Receiver {
  private server: Server | undefined;

  constructor(
    private readonly inner:
      | { mode: 'socket'; receiver: SocketModeReceiver }
      /** HTTP mode: the Slack endpoint's path and what guards it. */
      | {
          mode: 'http';
          receiver: HTTPReceiver;
          path: string;
          signingSecret: string;
          now: () => number;
          host?: string | undefined;
          /** Answers a guarded request itself (overload: src/http/shed.ts) or returns false to hand it to Bolt. */
          shed?: Shedder | undefined;
        },
    private readonly opts: {
      hook: EventHook;
      logger: Logger;
      /** For Bolt's dispatch error handler (unknown paths), as Bolt's own server uses it. */
      boltLogger: BoltLogger;
    },
  ) {}

  init(app: App): void {
    const process = (event: ReceiverEvent) => app.processEvent(event);
    // A child object of the app: the inner receiver only calls processEvent on it.
    const dispatcher: App = Object.create(app, { processEvent: { value: (event: ReceiverEvent) => this.opts.hook(event, process) } });
    this.inner.receiver.init(dispatcher);
  }

  /** HTTP mode: listens on `port` (0 = any free port) and resolves with the server; Socket Mode: connects. */
  async start(port: number): Promise<unknown> {
    const http = this.inner;
    if (http.mode === 'socket') return http.receiver.start();
    const listener = http.receiver.requestListener;
    const dispatch = (req: IncomingMessage, res: ServerResponse) => {
      try {
        listener(req, res);
      } catch (error) {
        // A path whose %-escapes do not decode (Bolt decodes route parameters) names nothing here.
        if (error instanceof URIError) {
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
          res.end('Not found\n');
          return;
        }
        // What Bolt's own server does: unknown paths and listener set-up errors.
        HTTPModuleFunctions.defaultDispatchErrorHandler({
          error: error as Error,
          logger: this.opts.boltLogger,
          request: req,
          response: res,
        });
      }
    };
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method?.toUpperCase() === 'POST' && path === http.path)
        guardSlackRequest(req, res, (read) => http.shed?.(req, res, read) || dispatch(req, res), {
          signingSecret: http.signingSecret,
          now: http.now,
          logger: this.opts.logger,
        });
      else dispatch(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, http.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return server;
  }

  async stop(): Promise<unknown> {
    if (this.inner.mode === 'socket') return this.inner.receiver.stop();
    const server = this.server;
    this.server = undefined;
    if (!server) return undefined;
    return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  }
}
