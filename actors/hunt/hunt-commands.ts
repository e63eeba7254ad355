import type { HintDefinition, HuntDefinition } from '../definition/hunt-definition.js';

/**
 * Commands a hunt decides on. Every command carries the client-chosen `commandId` (unique per
 * issuer: a repeat is answered with the first outcome), who issued it, and the time it arrived
 * (`at`, ms since epoch): the rules read no clock of their own.
 */
interface CommandBase {
  readonly commandId: string;
  readonly at: number;
  /**
   * When the client first issued the command (ms since epoch, by the server's clock as the client
   * knows it), the same on every retry: a repeat issued before the window gets command-expired.
   */
  readonly issuedAt?: number;
}

/** A designer or operator acting on the hunt; `issuer` is their subject id. */
interface DesignerCommand extends CommandBase {
  readonly issuer: string;
}

/** A player acting in the hunt. */
interface PlayerCommand extends CommandBase {
  readonly playerId: string;
}

export type Guess =
  | { readonly kind: 'answer'; readonly text: string }
  | { readonly kind: 'location'; readonly latitude: number; readonly longitude: number }
  | { readonly kind: 'code'; readonly code: string };

export type HuntCommand =
  | (DesignerCommand & { readonly type: 'spawn'; readonly definition: HuntDefinition })
  | (DesignerCommand & { readonly type: 'start' })
  | (DesignerCommand & { readonly type: 'pause' })
  | (DesignerCommand & { readonly type: 'resume' })
  | (DesignerCommand & { readonly type: 'end' })
  | (DesignerCommand & { readonly type: 'release-hint'; readonly clueId: string; readonly hintIndex: number })
  | (DesignerCommand & {
      readonly type: 'edit-clue';
      readonly clueId: string;
      readonly title?: string;
      readonly text?: string;
      readonly hints?: readonly HintDefinition[];
    })
  | (DesignerCommand & { readonly type: 'announce'; readonly message: string })
  | (DesignerCommand & { readonly type: 'kick'; readonly playerId: string; readonly reason: string })
  | (PlayerCommand & { readonly type: 'join'; readonly displayName: string; readonly team?: string })
  | (PlayerCommand & { readonly type: 'leave' })
  | (PlayerCommand & { readonly type: 'submit'; readonly clueId: string; readonly guess: Guess })
  | (PlayerCommand & { readonly type: 'request-hint'; readonly clueId: string; readonly hintIndex: number })
  /** Time passing: starts, ends, times out clues and releases timed hints that are due at `at`. */
  | (CommandBase & { readonly type: 'tick' });

export type HuntCommandType = HuntCommand['type'];

/** Who a command counts as, for recognising repeated command ids. */
export function issuerOf(command: HuntCommand): string {
  if ('playerId' in command && command.type !== 'kick') return `player:${command.playerId}`;
  if ('issuer' in command) return `staff:${command.issuer}`;
  return 'clock';
}
