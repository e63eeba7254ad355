import type { OperatorMessage } from '../../protocol/client-messages.js';
import { ErrorCode } from '../../protocol/codes.js';
import type { Results } from '../../protocol/server-messages.js';
import type { PlanChange } from '../cluster/plan/shard-plan.js';
import { RequestError } from './request-error.js';
import type { Session } from './session.js';

function changeOf(msg: Exclude<OperatorMessage, { type: 'shards.map' }>): PlanChange {
  switch (msg.type) {
    case 'shards.pin':
      return { type: 'pin', shard: msg.shard, node: msg.node };
    case 'shards.unpin':
      return { type: 'unpin', shard: msg.shard };
    case 'shards.drain':
      return { type: 'drain', node: msg.node };
    case 'shards.undrain':
      return { type: 'undrain', node: msg.node };
  }
}

/** The operator's shard messages: the map, and changes to the plan. */
export async function operatorRequest(session: Session, msg: OperatorMessage): Promise<Results[OperatorMessage['type']]> {
  const control = session.ctx.shards;
  if (msg.type === 'shards.map') return control.map();
  try {
    return { planVersion: await control.change(changeOf(msg)) };
  } catch (error) {
    const { code, retriable } = error as { code?: unknown; retriable?: unknown };
    throw new RequestError(typeof code === 'string' ? code : ErrorCode.internal, (error as Error).message, retriable === true);
  }
}
