import { configurePersistence, query, start, stop, type PersistenceEngine, type Ref } from 'nact';
import pLimit from 'p-limit';
import type { AnyEntityBehaviour } from './entity-behaviour.js';
import { spawnEntityActor } from './entity-actor.js';
import type { BatchReply, CommandOutcome, EntityMessage, ReadReply } from './entity-messages.js';
import { WakeUps } from './wake-ups.js';
import type { CommandLedger } from './journal-record.js';

export interface ShardHostOptions {
  /** nact persistence engine over the journal (see src/journal/journal-persistence-engine.ts). */
  readonly persistence: PersistenceEngine;
  /** The journal's command ledger: how repeated commands are recognised (see entity-actor.ts). */
  readonly ledger: CommandLedger;
  readonly behaviours: readonly AnyEntityBehaviour[];
  /** Passivate an entity after this long without a message, in ms. Default 5 minutes. */
  readonly idleAfterMs?: number;
  /**
   * Another idle time for some kinds, by kind. A player's record is read when they connect and
   * written when they join or leave: in between it need not stay in memory.
   */
  readonly idleAfterMsByKind?: Readonly<Record<string, number>>;
  /** Entities recovering from the journal at once; the rest wait their turn. Default 16. */
  readonly maxConcurrentActivations?: number;
  /** Snapshot every this many events; 0 disables. Default 100. */
  readonly snapshotEvery?: number;
  /** How long a command may wait for its outcome, in ms. Default 10 s. */
  readonly commandTimeoutMs?: number;
  /** The clock that stamps ticks. Default Date.now. */
  readonly now?: () => number;
  readonly listener?: ShardHostListener;
  /**
   * Where an entity's side effects send commands to other entities. Default: this host. In a
   * cluster the other entity may live on another node, so the commands go through the bus.
   */
  readonly tell?: (kind: string, entityId: string, command: unknown) => void;
  /**
   * Whether this host is the one that should run the entity now. Default: always. A timer that
   * falls due for an entity this node no longer owns is dropped: its new owner re-arms it on
   * activation, and two nodes must not both decide for one entity.
   */
  readonly isLocal?: (kind: string, entityId: string) => boolean;
}

/** Observations for metrics and logs; every method optional. */
export interface ShardHostListener {
  activated?(kind: string, entityId: string, durationMs: number): void;
  passivated?(kind: string, entityId: string): void;
  /** A stored event, after it is durable. */
  stored?(kind: string, entityId: string, event: unknown, seqNr: number): void;
  crashed?(kind: string, entityId: string, error: unknown): void;
}

interface Pending {
  readonly command: unknown;
  readonly resolve: (outcome: CommandOutcome<unknown>) => void;
  readonly reject: (error: unknown) => void;
}

interface Activation {
  readonly kind: string;
  readonly entityId: string;
  ref?: Ref<EntityMessage<unknown, unknown, unknown>>;
  ready: Promise<void>;
  inFlight: number;
  lastUsed: number;
  /** Commands waiting for the batch in flight to finish. */
  readonly queue: Pending[];
  sending: boolean;
  /**
   * Set when the actor stopped after an error. Whoever waits for a reply has a rejecter in
   * `waiting`, so that nobody waits for a reply that cannot come. (Racing every reply against one
   * promise that never settles would keep a reaction, and the reply it holds, per request for as
   * long as the entity stays active: a leak that grew with every command.)
   */
  failure?: EntityUnavailable;
  readonly waiting: Set<(error: unknown) => void>;
}

/** Thrown to callers whose entity's actor stopped (its journal failing, say): retry later. */
export class EntityUnavailable extends Error {
  readonly code = 'entity-unavailable';
  constructor(kind: string, entityId: string, cause: unknown) {
    super(`${kind} ${entityId} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Commands sent to one entity in one message: they share one group commit. Kept within what the
 * Cassandra journal writes as one conditional batch, so a batch is stored whole or not at all.
 */
const MAX_BATCH = 64;

/** After a tick failed (storage down), the next try. */
const TICK_RETRY_MS = 1000;

/** Entity ids become keys, file names and log fields: keep them to a safe alphabet. */
const ENTITY_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

export class InvalidEntityId extends Error {
  readonly code = 'invalid-entity-id';
  constructor(entityId: string) {
    super(`invalid entity id ${JSON.stringify(entityId)}: use 1-128 letters, digits and . _ : @ -, starting with a letter or digit`);
  }
}

/** Throws InvalidEntityId unless `entityId` is one the runtime accepts. */
export function checkEntityId(entityId: string): void {
  if (!ENTITY_ID.test(entityId)) throw new InvalidEntityId(entityId);
}

/**
 * Hosts the entities of this process: activates an entity's actor on first use (at most
 * `maxConcurrentActivations` recovering at once), passivates it when idle, and wakes it when
 * one of its timers falls due, even while it is passivated.
 */
export class ShardHost {
  private readonly system: Ref<never>;
  private readonly behaviours: ReadonlyMap<string, AnyEntityBehaviour>;
  private readonly activations = new Map<string, Activation>();
  private readonly limitActivations: ReturnType<typeof pLimit>;
  private readonly wakeUps: WakeUps;
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleAfterMs: number;
  private readonly idleAfterMsByKind: Readonly<Record<string, number>>;
  private readonly snapshotEvery: number;
  private readonly commandTimeoutMs: number;
  private readonly now: () => number;
  private readonly ledger: CommandLedger;
  private readonly listener: ShardHostListener;
  private readonly tell: (kind: string, entityId: string, command: unknown) => void;
  private readonly isLocal: (kind: string, entityId: string) => boolean;
  private stopped = false;

  constructor(options: ShardHostOptions) {
    this.system = start(configurePersistence(options.persistence)) as Ref<never>;
    this.behaviours = new Map(options.behaviours.map((b) => [b.kind, b]));
    this.idleAfterMs = options.idleAfterMs ?? 5 * 60_000;
    this.idleAfterMsByKind = options.idleAfterMsByKind ?? {};
    this.snapshotEvery = options.snapshotEvery ?? 100;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.ledger = options.ledger;
    this.listener = options.listener ?? {};
    this.tell = options.tell ?? ((kind, entityId, command) => void this.execute(kind, entityId, command).catch(() => undefined));
    this.isLocal = options.isLocal ?? (() => true);
    this.limitActivations = pLimit(options.maxConcurrentActivations ?? 16);
    this.wakeUps = new WakeUps((kind, entityId) => void this.tick(kind, entityId), this.now);
    const shortestIdle = Math.min(this.idleAfterMs, ...Object.values(this.idleAfterMsByKind));
    this.sweeper = setInterval(() => this.passivateIdle(), Math.max(50, Math.min(shortestIdle / 2, 30_000)));
    this.sweeper.unref();
  }

  /**
   * Decides `command` in entity `entityId` of `kind`, activating it when needed. Resolves once the
   * resulting event is durable, or with the rejection, or with a failure when storage failed.
   */
  async execute<Event = unknown>(kind: string, entityId: string, command: unknown): Promise<CommandOutcome<Event>> {
    if (this.stopped) throw new Error('the shard host is stopped');
    const activation = this.activate(kind, entityId);
    const outcome = new Promise<CommandOutcome<unknown>>((resolve, reject) => activation.queue.push({ command, resolve, reject }));
    void this.sendQueued(activation);
    return outcome as Promise<CommandOutcome<Event>>;
  }

  /**
   * What `project` makes of the entity's current state, activating it when needed. The projection
   * runs inside the actor between commands, so it sees only durable events; it must return a
   * value that does not share the state's objects (views, copies, counts).
   */
  async read<State, View>(kind: string, entityId: string, project: (state: State) => View): Promise<ReadReply<View>> {
    if (this.stopped) throw new Error('the shard host is stopped');
    return this.ask<ReadReply<View>>(this.activate(kind, entityId), (replyTo) => ({ kind: 'read', project, replyTo }));
  }

  /** What the behaviour's view `name` makes of the entity's current state (see EntityBehaviour.views). */
  async view(kind: string, entityId: string, name: string): Promise<unknown> {
    const project = this.behaviours.get(kind)?.views?.[name];
    if (!project) throw new Error(`${kind} has no view ${JSON.stringify(name)}`);
    return (await this.read(kind, entityId, project)).view;
  }

  /**
   * Stops the actors and timers of the entities `release` picks, once their work in flight is
   * done (their stored events are durable): the node no longer owns them. Resolves with how many
   * actors were stopped.
   */
  async passivate(release: (kind: string, entityId: string) => boolean): Promise<number> {
    const leaving = [...this.activations.entries()].filter(([, a]) => release(a.kind, a.entityId));
    this.wakeUps.cancelWhere(release);
    await Promise.all(
      leaving.map(async ([key, activation]) => {
        await activation.ready.catch(() => undefined);
        while (activation.inFlight > 0 || activation.queue.length > 0 || activation.sending) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        if (this.activations.get(key) !== activation) return;
        this.activations.delete(key);
        if (activation.ref) stop(activation.ref);
        this.listener.passivated?.(activation.kind, activation.entityId);
      }),
    );
    return leaving.length;
  }

  /** The ids of the entities whose actors are in memory now (any kind). */
  activeEntityIds(): string[] {
    return [...this.activations.values()].map((a) => a.entityId);
  }

  /** Entities whose actors are in memory now. */
  get activeEntities(): number {
    return this.activations.size;
  }

  /** Stops every actor (their stored events are already durable) and all timers. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    this.wakeUps.clear();
    await Promise.allSettled([...this.activations.values()].map((a) => a.ready));
    stop(this.system);
    this.activations.clear();
  }

  private async ask<Reply>(activation: Activation, message: (replyTo: Ref<Reply>) => unknown): Promise<Reply> {
    activation.inFlight += 1;
    try {
      await activation.ready;
      const reply = query(activation.ref as Ref<unknown>, message as never, this.commandTimeoutMs);
      return (await untilCrash(activation, reply)) as Reply;
    } finally {
      activation.inFlight -= 1;
      activation.lastUsed = this.now();
    }
  }

  /**
   * Sends an entity's queued commands as one batch while none is in flight, so that commands
   * arriving during a group commit ride together in the next one instead of one commit each.
   */
  private async sendQueued(activation: Activation): Promise<void> {
    if (activation.sending || activation.queue.length === 0) return;
    activation.sending = true;
    const batch = activation.queue.splice(0, MAX_BATCH);
    try {
      const commands = batch.map((p) => p.command);
      const reply = await this.ask<BatchReply<unknown>>(activation, (replyTo) => ({ kind: 'commands', commands, replyTo }));
      // A failed batch says nothing about timers: keep the one scheduled before it.
      if (reply.outcomes.every((o) => o.ok || 'rejection' in o)) this.wakeUps.schedule(activation.kind, activation.entityId, reply.wakeAt);
      reply.outcomes.forEach((outcome, i) => {
        if (outcome.ok && !outcome.duplicate) this.listener.stored?.(activation.kind, activation.entityId, outcome.event, outcome.seqNr);
        batch[i]!.resolve(outcome);
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      activation.sending = false;
      void this.sendQueued(activation);
    }
  }

  private activate(kind: string, entityId: string): Activation {
    const behaviour = this.behaviours.get(kind);
    if (!behaviour) throw new Error(`no entity kind ${kind}`);
    checkEntityId(entityId);
    const key = `${kind}:${entityId}`;
    const existing = this.activations.get(key);
    if (existing) return existing;

    const activation: Activation = {
      kind,
      entityId,
      ready: Promise.resolve(),
      inFlight: 0,
      lastUsed: this.now(),
      queue: [],
      sending: false,
      waiting: new Set(),
    };
    activation.ready = this.limitActivations(async () => {
      const started = performance.now();
      activation.ref = spawnEntityActor(this.system, behaviour, entityId, {
        snapshotEvery: this.snapshotEvery,
        effects: { tell: this.tell },
        ledger: this.ledger,
        onCrash: (error) => this.crashed(key, activation, error),
      }) as Ref<EntityMessage<unknown, unknown, unknown>>;
      // The reply to a read comes after recovery, so it marks the entity as ready.
      const read = query(activation.ref, (replyTo) => ({ kind: 'read', project: () => undefined, replyTo }), this.commandTimeoutMs);
      const reply = (await untilCrash(activation, read)) as ReadReply<unknown>;
      this.wakeUps.schedule(kind, entityId, reply.wakeAt);
      this.listener.activated?.(kind, entityId, performance.now() - started);
    });
    activation.ready.catch(() => {
      if (this.activations.get(key) === activation) this.activations.delete(key);
      // An actor still recovering when its activation gave up would live on unseen: stop it.
      if (activation.ref) stop(activation.ref);
    });
    this.activations.set(key, activation);
    return activation;
  }

  private crashed(key: string, activation: Activation, error: unknown): void {
    if (this.activations.get(key) === activation) this.activations.delete(key);
    activation.failure ??= new EntityUnavailable(activation.kind, activation.entityId, error);
    for (const reject of activation.waiting) reject(activation.failure);
    activation.waiting.clear();
    // Commands still queued here never reached the stopped actor: fail them now, retriable.
    for (const pending of activation.queue.splice(0)) pending.reject(new EntityUnavailable(activation.kind, activation.entityId, error));
    this.listener.crashed?.(activation.kind, activation.entityId, error);
  }

  /** Lets time pass in an entity: one tick per due event, until nothing more is due. */
  private async tick(kind: string, entityId: string): Promise<void> {
    const behaviour = this.behaviours.get(kind);
    if (!behaviour?.tickCommand || this.stopped || !this.isLocal(kind, entityId)) return;
    for (let i = 0; i < 1000 && !this.stopped; i += 1) {
      const outcome = await this.execute(kind, entityId, behaviour.tickCommand(this.now())).catch(() => undefined);
      if (outcome?.ok) continue;
      // Nothing due is the normal end; anything else (storage down) must not lose the timer.
      const nothingDue = outcome !== undefined && 'rejection' in outcome;
      if (!nothingDue && !this.stopped) this.wakeUps.schedule(kind, entityId, this.now() + TICK_RETRY_MS);
      return;
    }
  }

  private passivateIdle(): void {
    const now = this.now();
    for (const [key, activation] of this.activations) {
      const cutoff = now - (this.idleAfterMsByKind[activation.kind] ?? this.idleAfterMs);
      if (activation.inFlight > 0 || activation.queue.length > 0 || activation.sending || activation.lastUsed > cutoff || !activation.ref) continue;
      this.activations.delete(key);
      stop(activation.ref);
      this.listener.passivated?.(activation.kind, activation.entityId);
    }
  }
}

/**
 * `work`, unless the activation's actor stops first: then its failure. Nothing stays attached to
 * the activation once `work` settles.
 */
function untilCrash<T>(activation: Activation, work: Promise<T>): Promise<T> {
  if (activation.failure) return Promise.reject(activation.failure);
  return new Promise<T>((resolve, reject) => {
    activation.waiting.add(reject);
    work.then(
      (value) => {
        activation.waiting.delete(reject);
        resolve(value);
      },
      (error: unknown) => {
        activation.waiting.delete(reject);
        reject(error);
      },
    );
  });
}
