import type { ClientMessage } from '../../protocol/client-messages.js';
import type { Results } from '../../protocol/server-messages.js';
import { adminCommand, status, watch } from './admin-requests.js';
import { operatorRequest } from './operator-requests.js';
import { hint, join, leave, resume, submit } from './player-requests.js';
import type { Session } from './session.js';

/** Runs one authorised request and returns its result; errors are thrown as RequestError. */
export async function handleRequest(session: Session, message: ClientMessage): Promise<Results[keyof Results]> {
  switch (message.type) {
    case 'ping':
      return { serverTime: session.ctx.now() };
    case 'join':
      return join(session, message);
    case 'submit':
      return submit(session, message);
    case 'hint':
      return hint(session, message);
    case 'leave':
      return leave(session, message);
    case 'resume':
      return resume(session, message);
    case 'admin.status':
      return status(session, message);
    case 'admin.watch':
      return watch(session, message);
    case 'shards.map':
    case 'shards.pin':
    case 'shards.unpin':
    case 'shards.drain':
    case 'shards.undrain':
      return operatorRequest(session, message);
    default:
      return adminCommand(session, message);
  }
}
