/** The game servers a load run can drive by name (`--target`): the echo baseline plays no game, so it is not one. */
import { cairnTarget } from './cairn-target.js';
import { colyseusTarget } from './colyseus-target.js';
import type { LoadTarget, TargetContext } from './load-target.js';

const GAME_TARGETS: Record<string, (context: TargetContext) => LoadTarget> = { cairn: cairnTarget, colyseus: colyseusTarget };

/** The target called `name`; an unknown name exits with 2 and says which there are. */
export function gameTarget(name: string): (context: TargetContext) => LoadTarget {
  const make = GAME_TARGETS[name];
  if (make) return make;
  console.error(`--target is one of ${Object.keys(GAME_TARGETS).join(', ')}, not ${name}`);
  process.exit(2);
}
