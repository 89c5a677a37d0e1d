/**
 * The watch channel's wire contract. The client sends JSON text messages
 * `{"subscribe": ["<cluster>/<plural>", …], "unsubscribe": […]}` (either or both); the server answers
 * `{"subscribed": [every key subscribed now]}`, `{"changed": "<key>"}` when a list changed, and
 * `{"error": "…", "key"?: "<key>"}` for a message or a key it refused. Every message is parsed with
 * `clientMessage`: anything else (null, a number, an array, a key of the wrong type, an unknown field) is
 * refused with an error naming what is wrong, never thrown.
 */
import { z } from 'zod';

export const keyRe = /^[a-z0-9-]{1,63}\/[a-z0-9.-]{1,253}$/;
/** Keys one socket may hold at once, and so the most one message may name. */
export const maxSubscriptions = 256;
/** A larger message is not a subscription: the socket is closed (1009). */
export const maxMessageBytes = 64 * 1024;

const keys = z.array(z.string().max(320)).max(maxSubscriptions);

export const clientMessage = z.strictObject({ subscribe: keys.optional(), unsubscribe: keys.optional() });
export type ClientMessage = z.infer<typeof clientMessage>;

export const usage = 'messages are JSON: {"subscribe": ["<cluster>/<plural>"], "unsubscribe": [...]}';

/** What is wrong with a message, in one line: each issue with its path (`subscribe.0: expected string…`). */
function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'message'}: ${i.message}`)
    .join('; ')
    .slice(0, 1000);
}

/** The message, or the error to send back. `text` is the frame's payload as the client sent it. */
export function parseClientMessage(
  text: string,
): { ok: true; msg: ClientMessage } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: `${usage}; this one is not JSON` };
  }
  const parsed = clientMessage.safeParse(json);
  if (!parsed.success) return { ok: false, error: `invalid message: ${describe(parsed.error)}; ${usage}` };
  return { ok: true, msg: parsed.data };
}
