/**
 * Recorded frames: the wire contract as bytes, for this server and for clients in other
 * languages. The hex is the source of truth: it was produced once by encodeMessage and is now
 * only read. Spaces separate msgpack tokens (a header with its payload) and mean nothing.
 * Map key order is not significant to decoders; these frames use the order shown.
 */

export interface RecordedFrame {
  readonly name: string;
  readonly hex: string;
  readonly value: unknown;
}

export const bytesOf = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
export const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const frame = (name: string, value: unknown, hex: string): RecordedFrame => ({ name, hex, value });

/** A client frame for every message type: each decodes and parses to `value`. */
export const clientFrames: readonly RecordedFrame[] = [
  // {"type":"ping","id":1}
  frame('ping', { type: 'ping', id: 1 }, '82 a474797065 a470696e67 a26964 01'),
  // {"type":"join","id":2,"hunt":"old-town","commandId":"join-1","team":"Owls","displayName":"Ada"}
  frame('join', { type: 'join', id: 2, hunt: 'old-town', commandId: 'join-1', team: 'Owls', displayName: 'Ada' },
    '86 a474797065 a46a6f696e a26964 02 a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a66a6f696e2d31 a47465616d a44f776c73 ab646973706c61794e616d65 a3416461'),
  // {"type":"submit","id":3,"hunt":"old-town","commandId":"g-1","clue":"fountain","guess":{"kind":"answer","text":"Neptune"}}
  frame('submit (answer)', { type: 'submit', id: 3, hunt: 'old-town', commandId: 'g-1', clue: 'fountain', guess: { kind: 'answer', text: 'Neptune' } },
    '86 a474797065 a67375626d6974 a26964 03 a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a3672d31 a4636c7565 a8666f756e7461696e a56775657373 82 a46b696e64 a6616e73776572 a474657874 a74e657074756e65'),
  // {"type":"submit","id":4,"hunt":"old-town","commandId":"g-2","clue":"clock-tower","guess":{"kind":"location","latitude":48.8584,"longitude":-2.5}}
  frame('submit (location)', { type: 'submit', id: 4, hunt: 'old-town', commandId: 'g-2', clue: 'clock-tower', guess: { kind: 'location', latitude: 48.8584, longitude: -2.5 } },
    '86 a474797065 a67375626d6974 a26964 04 a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a3672d32 a4636c7565 ab636c6f636b2d746f776572 a56775657373 83 a46b696e64 a86c6f636174696f6e a86c61746974756465 cb40486de00d1b7176 a96c6f6e676974756465 cbc004000000000000'),
  // {"type":"submit","id":5,"hunt":"old-town","commandId":"g-3","clue":"bakery-year","guess":{"kind":"code","code":"1642"}}
  frame('submit (code)', { type: 'submit', id: 5, hunt: 'old-town', commandId: 'g-3', clue: 'bakery-year', guess: { kind: 'code', code: '1642' } },
    '86 a474797065 a67375626d6974 a26964 05 a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a3672d33 a4636c7565 ab62616b6572792d79656172 a56775657373 82 a46b696e64 a4636f6465 a4636f6465 a431363432'),
  // {"type":"hint","id":6,"hunt":"old-town","commandId":"h-1","clue":"fountain","hint":0}
  frame('hint', { type: 'hint', id: 6, hunt: 'old-town', commandId: 'h-1', clue: 'fountain', hint: 0 },
    '86 a474797065 a468696e74 a26964 06 a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a3682d31 a4636c7565 a8666f756e7461696e a468696e74 00'),
  // {"type":"leave","id":7,"hunt":"old-town","commandId":"leave-1"}
  frame('leave', { type: 'leave', id: 7, hunt: 'old-town', commandId: 'leave-1' },
    '84 a474797065 a56c65617665 a26964 07 a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a76c656176652d31'),
  // {"type":"resume","id":8,"hunt":"old-town","after":14}
  frame('resume', { type: 'resume', id: 8, hunt: 'old-town', after: 14 },
    '84 a474797065 a6726573756d65 a26964 08 a468756e74 a86f6c642d746f776e a56166746572 0e'),
  // {"type":"admin.spawn","id":9,"hunt":"old-town","commandId":"spawn-1","definition":"title: Old Town\n"}
  frame('admin.spawn', { type: 'admin.spawn', id: 9, hunt: 'old-town', commandId: 'spawn-1', definition: 'title: Old Town\n' },
    '85 a474797065 ab61646d696e2e737061776e a26964 09 a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a7737061776e2d31 aa646566696e6974696f6e b07469746c653a204f6c6420546f776e0a'),
  // {"type":"admin.start","id":10,"hunt":"old-town","commandId":"start-1"}
  frame('admin.start', { type: 'admin.start', id: 10, hunt: 'old-town', commandId: 'start-1' },
    '84 a474797065 ab61646d696e2e7374617274 a26964 0a a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a773746172742d31'),
  // {"type":"admin.pause","id":11,"hunt":"old-town","commandId":"pause-1"}
  frame('admin.pause', { type: 'admin.pause', id: 11, hunt: 'old-town', commandId: 'pause-1' },
    '84 a474797065 ab61646d696e2e7061757365 a26964 0b a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a770617573652d31'),
  // {"type":"admin.resume","id":12,"hunt":"old-town","commandId":"resume-1"}
  frame('admin.resume', { type: 'admin.resume', id: 12, hunt: 'old-town', commandId: 'resume-1' },
    '84 a474797065 ac61646d696e2e726573756d65 a26964 0c a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a8726573756d652d31'),
  // {"type":"admin.end","id":13,"hunt":"old-town","commandId":"end-1"}
  frame('admin.end', { type: 'admin.end', id: 13, hunt: 'old-town', commandId: 'end-1' },
    '84 a474797065 a961646d696e2e656e64 a26964 0d a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a5656e642d31'),
  // {"type":"admin.edit-clue","id":14,"hunt":"old-town","commandId":"edit-1","clue":"fountain","title":"The fountain","hints":[{"text":"Look down.","penalty":10,"autoReleaseAfterSeconds":600}]}
  frame('admin.edit-clue', {
    type: 'admin.edit-clue', id: 14, hunt: 'old-town', commandId: 'edit-1', clue: 'fountain', title: 'The fountain',
    hints: [{ text: 'Look down.', penalty: 10, autoReleaseAfterSeconds: 600 }],
  }, `87 a474797065 af61646d696e2e656469742d636c7565 a26964 0e a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a6656469742d31
      a4636c7565 a8666f756e7461696e a57469746c65 ac54686520666f756e7461696e
      a568696e7473 91 83 a474657874 aa4c6f6f6b20646f776e2e a770656e616c7479 0a b76175746f52656c6561736541667465725365636f6e6473 cd0258`),
  // {"type":"admin.release-hint","id":15,"hunt":"old-town","commandId":"rel-1","clue":"fountain","hint":1}
  frame('admin.release-hint', { type: 'admin.release-hint', id: 15, hunt: 'old-town', commandId: 'rel-1', clue: 'fountain', hint: 1 },
    '86 a474797065 b261646d696e2e72656c656173652d68696e74 a26964 0f a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a572656c2d31 a4636c7565 a8666f756e7461696e a468696e74 01'),
  // {"type":"admin.announce","id":16,"hunt":"old-town","commandId":"ann-1","message":"Tea at 4"}
  frame('admin.announce', { type: 'admin.announce', id: 16, hunt: 'old-town', commandId: 'ann-1', message: 'Tea at 4' },
    '85 a474797065 ae61646d696e2e616e6e6f756e6365 a26964 10 a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a5616e6e2d31 a76d657373616765 a85465612061742034'),
  // {"type":"admin.kick","id":17,"hunt":"old-town","commandId":"kick-1","player":"mallory","reason":"cheating"}
  frame('admin.kick', { type: 'admin.kick', id: 17, hunt: 'old-town', commandId: 'kick-1', player: 'mallory', reason: 'cheating' },
    '86 a474797065 aa61646d696e2e6b69636b a26964 11 a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a66b69636b2d31 a6706c61796572 a76d616c6c6f7279 a6726561736f6e a86368656174696e67'),
  // {"type":"admin.status","id":18,"hunt":"old-town"}
  frame('admin.status', { type: 'admin.status', id: 18, hunt: 'old-town' },
    '83 a474797065 ac61646d696e2e737461747573 a26964 12 a468756e74 a86f6c642d746f776e'),
  // {"type":"admin.watch","id":4294967295,"hunt":"old-town"}: the largest id, as uint32
  frame('admin.watch', { type: 'admin.watch', id: 4294967295, hunt: 'old-town' },
    '83 a474797065 ab61646d696e2e7761746368 a26964 ceffffffff a468756e74 a86f6c642d746f776e'),
  // {"type":"shards.map","id":19}
  frame('shards.map', { type: 'shards.map', id: 19 }, '82 a474797065 aa7368617264732e6d6170 a26964 13'),
  // {"type":"shards.pin","id":20,"shard":7,"node":"node-2"}
  frame('shards.pin', { type: 'shards.pin', id: 20, shard: 7, node: 'node-2' },
    '84 a474797065 aa7368617264732e70696e a26964 14 a57368617264 07 a46e6f6465 a66e6f64652d32'),
  // {"type":"shards.unpin","id":21,"shard":300}: a shard above 255, as uint16
  frame('shards.unpin', { type: 'shards.unpin', id: 21, shard: 300 }, '83 a474797065 ac7368617264732e756e70696e a26964 15 a57368617264 cd012c'),
  // {"type":"shards.drain","id":22,"node":"node-3"}
  frame('shards.drain', { type: 'shards.drain', id: 22, node: 'node-3' }, '83 a474797065 ac7368617264732e647261696e a26964 16 a46e6f6465 a66e6f64652d33'),
  // {"type":"shards.undrain","id":23,"node":"node-3"}
  frame('shards.undrain', { type: 'shards.undrain', id: 23, node: 'node-3' }, '83 a474797065 ae7368617264732e756e647261696e a26964 17 a46e6f6465 a66e6f64652d33'),
];

/** Client frames as other encoders may write them: wider formats than needed are fine. */
export const otherEncoderFrames: readonly RecordedFrame[] = [
  // {"type":"ping","id":7}: map16 header, id as uint64
  frame('ping, map16 and uint64', { type: 'ping', id: 7 }, 'de0002 a474797065 a470696e67 a26964 cf0000000000000007'),
  // {"type":"resume","id":8,"hunt":"old-town","after":14}: str8 key, after as int64
  frame('resume, str8 and int64', { type: 'resume', id: 8, hunt: 'old-town', after: 14 },
    '84 d90474797065 a6726573756d65 a26964 08 a468756e74 a86f6c642d746f776e a56166746572 d3000000000000000e'),
  // {"type":"submit",...,"guess":{"kind":"location","latitude":48,"longitude":2.5}}: float32 coordinates
  frame('submit, float32', { type: 'submit', id: 4, hunt: 'old-town', commandId: 'g-2', clue: 'clock-tower', guess: { kind: 'location', latitude: 48, longitude: 2.5 } },
    '86 a474797065 a67375626d6974 a26964 04 a468756e74 a86f6c642d746f776e a9636f6d6d616e644964 a3672d32 a4636c7565 ab636c6f636b2d746f776572 a56775657373 83 a46b696e64 a86c6f636174696f6e a86c61746974756465 ca42400000 a96c6f6e676974756465 ca40200000'),
];

/** Server frames: encodeMessage(value) gives exactly these bytes. */
export const serverFrames: readonly RecordedFrame[] = [
  // {"type":"welcome","protocol":1,"subject":"ada","role":"player","heartbeatMs":30000,"hunts":[{"hunt":"old-town","competitorId":"t:owls","team":"Owls"}]}
  frame('welcome', {
    type: 'welcome', protocol: 1, subject: 'ada', role: 'player', heartbeatMs: 30000,
    hunts: [{ hunt: 'old-town', competitorId: 't:owls', team: 'Owls' }],
  }, `86 a474797065 a777656c636f6d65 a870726f746f636f6c 01 a77375626a656374 a3616461 a4726f6c65 a6706c61796572 ab6865617274626561744d73 cd7530
      a568756e7473 91 83 a468756e74 a86f6c642d746f776e ac636f6d70657469746f724964 a6743a6f776c73 a47465616d a44f776c73`),
  // {"type":"reply","id":1,"ok":true,"result":{"serverTime":1767225600000}}: times beyond 32 bits are int64, never float64
  frame('reply ok (ping)', { type: 'reply', id: 1, ok: true, result: { serverTime: 1767225600000 } },
    '84 a474797065 a57265706c79 a26964 01 a26f6b c3 a6726573756c74 81 aa73657276657254696d65 d30000019b76daa800'),
  // {"type":"reply","id":3,"ok":true,"result":{"correct":true,"points":100,"bonus":20,"attemptsLeft":null,"duplicate":false,"update":14}}
  frame('reply ok (submit)', {
    type: 'reply', id: 3, ok: true,
    result: { correct: true, points: 100, bonus: 20, attemptsLeft: null, duplicate: false, update: 14 },
  }, `84 a474797065 a57265706c79 a26964 03 a26f6b c3 a6726573756c74
      86 a7636f7272656374 c3 a6706f696e7473 64 a5626f6e7573 14 ac617474656d7074734c656674 c0 a96475706c6963617465 c2 a6757064617465 0e`),
  // {"type":"reply","id":4,"ok":false,"error":{"code":"rate-limited","message":"too many guesses: wait 1500 ms","retriable":true,"retryAfterMs":1500}}
  frame('reply error', {
    type: 'reply', id: 4, ok: false,
    error: { code: 'rate-limited', message: 'too many guesses: wait 1500 ms', retriable: true, retryAfterMs: 1500 },
  }, `84 a474797065 a57265706c79 a26964 04 a26f6b c2 a56572726f72
      84 a4636f6465 ac726174652d6c696d69746564 a76d657373616765 be746f6f206d616e7920677565737365733a20776169742031353030206d73
      a9726574726961626c65 c3 ac726574727941667465724d73 cd05dc`),
  // {"type":"reply","id":5,"ok":false,"error":{"code":"overloaded","message":"server overloaded: retry in 1000 ms with the same commandId","retriable":true,"retryAfterMs":1000}}
  frame('reply error (overloaded)', {
    type: 'reply', id: 5, ok: false,
    error: { code: 'overloaded', message: 'server overloaded: retry in 1000 ms with the same commandId', retriable: true, retryAfterMs: 1000 },
  }, `84 a474797065 a57265706c79 a26964 05 a26f6b c2 a56572726f72
      84 a4636f6465 aa6f7665726c6f61646564 a76d657373616765 d93b736572766572206f7665726c6f616465643a20726574727920696e2031303030206d732077697468207468652073616d6520636f6d6d616e644964
      a9726574726961626c65 c3 ac726574727941667465724d73 cd03e8`),
  // {"type":"update","hunt":"old-town","update":14,"changes":[{"kind":"clue","clue":{"id":"fountain","title":"The fountain","text":"Who?","points":100,
  //  "solveWith":"answer","status":"solved","wrongGuesses":1,"attemptsLeft":4,"hints":[{"index":0,"penalty":10,"revealed":false}]}}]}
  frame('update with a clue change', {
    type: 'update', hunt: 'old-town', update: 14,
    changes: [{
      kind: 'clue',
      clue: {
        id: 'fountain', title: 'The fountain', text: 'Who?', points: 100, solveWith: 'answer', status: 'solved',
        wrongGuesses: 1, attemptsLeft: 4, hints: [{ index: 0, penalty: 10, revealed: false }],
      },
    }],
  }, `84 a474797065 a6757064617465 a468756e74 a86f6c642d746f776e a6757064617465 0e a76368616e676573
      91 82 a46b696e64 a4636c7565 a4636c7565
        89 a26964 a8666f756e7461696e a57469746c65 ac54686520666f756e7461696e a474657874 a457686f3f a6706f696e7473 64
           a9736f6c766557697468 a6616e73776572 a6737461747573 a6736f6c766564 ac77726f6e6747756573736573 01 ac617474656d7074734c656674 04
           a568696e7473 91 83 a5696e646578 00 a770656e616c7479 0a a872657665616c6564 c2`),
  // {"type":"error","error":{"code":"malformed-frame","message":"frames must be binary (msgpack)","retriable":false}}
  frame('error frame', { type: 'error', error: { code: 'malformed-frame', message: 'frames must be binary (msgpack)', retriable: false } },
    '82 a474797065 a56572726f72 a56572726f72 83 a4636f6465 af6d616c666f726d65642d6672616d65 a76d657373616765 bf6672616d6573206d7573742062652062696e61727920286d73677061636b29 a9726574726961626c65 c2'),
];
