/**
 * A player across hunts: their display name and the hunts they are in, so that a reconnecting
 * player is put back in their hunts. The hunt stays the authority on who is in it. The gateway
 * records a membership before it asks the hunt for the join (so a crash between the two can only
 * leave a membership too many, which a resume then refuses, never one too few); the hunt then
 * completes it with the competitor, and tells the player entity about leaves and kicks.
 */

interface CommandBase {
  readonly commandId: string;
  readonly at: number;
}

export type PlayerCommand =
  | (CommandBase & { readonly type: 'rename'; readonly displayName: string })
  | (CommandBase & {
      readonly type: 'record-membership';
      readonly huntId: string;
      /** Absent while the join is still being decided. */
      readonly competitorId?: string;
      readonly team?: string;
    })
  | (CommandBase & { readonly type: 'clear-membership'; readonly huntId: string; readonly reason: 'left' | 'kicked' });

interface EventBase {
  readonly commandId: string;
  readonly at: number;
}

export type PlayerEvent =
  | (EventBase & { readonly type: 'player-renamed'; readonly displayName: string })
  | (EventBase & {
      readonly type: 'membership-recorded';
      readonly huntId: string;
      readonly competitorId?: string;
      readonly team?: string;
    })
  | (EventBase & { readonly type: 'membership-cleared'; readonly huntId: string; readonly reason: 'left' | 'kicked' });

export interface Membership {
  readonly huntId: string;
  /** Absent until the hunt confirmed the join. */
  readonly competitorId?: string;
  readonly team?: string;
  readonly since: number;
}

export interface PlayerState {
  readonly displayName?: string;
  readonly memberships: Readonly<Record<string, Membership>>;
}

export const initialPlayerState: PlayerState = { memberships: {} };

export const PlayerRejectionCode = {
  invalidInput: 'invalid-input',
  notAMember: 'not-a-member',
  /** The membership is recorded already, with nothing new to add. */
  alreadyAMember: 'already-a-member',
} as const;

export type PlayerRejectionCode = (typeof PlayerRejectionCode)[keyof typeof PlayerRejectionCode];
