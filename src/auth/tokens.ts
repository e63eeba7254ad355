import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

export type Role = 'player' | 'designer' | 'operator';

export interface Identity {
  /** Who: the player id for players; a staff member's id otherwise. */
  readonly subject: string;
  readonly role: Role;
  /** Display name, when the token carries one. */
  readonly name?: string;
}

const ROLES: readonly string[] = ['player', 'designer', 'operator'];
const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const ALGORITHM = 'HS256';

export class InvalidToken extends Error {
  readonly code = 'invalid-token';
}

const keyOf = (secret: string) => new TextEncoder().encode(secret);

/** Signs a token for `identity`, valid for `ttlSeconds`. */
export async function mintToken(secret: string, identity: Identity, ttlSeconds: number): Promise<string> {
  return new SignJWT({ role: identity.role, ...(identity.name !== undefined ? { name: identity.name } : {}) })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(identity.subject)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(keyOf(secret));
}

/**
 * Checks a token's signature (HS256 only: a token naming another algorithm is refused), its
 * expiry (required) and its claims, and says who it names. Rejects with InvalidToken, whose
 * message is safe to show the client.
 */
export function createTokenVerifier(secret: string): (token: string) => Promise<Identity> {
  const key = keyOf(secret);
  return async (token) => {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key, { algorithms: [ALGORITHM], requiredClaims: ['exp', 'sub'] }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new InvalidToken('token expired');
      throw new InvalidToken('invalid token');
    }
    const { sub, role, name } = payload;
    if (typeof sub !== 'string' || !SUBJECT.test(sub)) throw new InvalidToken('token subject is not a valid id');
    if (typeof role !== 'string' || !ROLES.includes(role)) throw new InvalidToken('token role must be player, designer or operator');
    if (name !== undefined && (typeof name !== 'string' || name.trim() === '' || name.length > 40)) {
      throw new InvalidToken('token name must be 1 to 40 characters');
    }
    return { subject: sub, role: role as Role, ...(name !== undefined ? { name: name as string } : {}) };
  };
}
