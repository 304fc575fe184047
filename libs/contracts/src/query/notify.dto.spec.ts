import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Notification, NOTIFY_LIMITS, NotifyDto } from './notify.dto';

/** Postgres refuses a NOTIFY payload of 8000 bytes or more (libs/store MAX_BROADCAST_BYTES). */
const NOTIFY_PAYLOAD_LIMIT = 7999;
const errors = (body: object) => validateSync(plainToInstance(NotifyDto, body), { whitelist: true, forbidNonWhitelisted: true }).map((e) => e.property);

describe('NotifyDto bounds a notification below the NOTIFY payload limit', () => {
  // Per UTF-16 code unit, the most JSON bytes a character allowed here takes: 3 (U+0800–U+FFFF);
  // a surrogate pair is 4 bytes for 2 units, `"` and `\` 2 bytes escaped; control characters
  // (6 bytes escaped) are refused.
  const widest = ['€', '\uffff', '"', '\\', '😀'];

  it.each(widest)('the largest notification of %j still fits', (ch) => {
    const fill = (n: number) => ch.repeat(Math.floor(n / ch.length));
    const body = {
      type: fill(NOTIFY_LIMITS.type),
      stream: fill(NOTIFY_LIMITS.stream),
      requestId: fill(NOTIFY_LIMITS.requestId),
      nodeId: fill(NOTIFY_LIMITS.nodeId),
      status: fill(NOTIFY_LIMITS.status),
      message: fill(NOTIFY_LIMITS.message),
      progress: 0.30000000000000004,
    };
    expect(errors(body)).toEqual([]);
    const notification: Notification = {
      id: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
      tenant: fill(64), // decideTenant: 1-64 characters, none a control character
      type: body.type,
      stream: body.stream,
      requestId: body.requestId,
      nodeId: body.nodeId,
      status: body.status,
      progress: body.progress,
      message: body.message,
      notifiedAt: '2026-12-05T07:00:00.000Z',
    };
    expect(Buffer.byteLength(JSON.stringify(notification))).toBeLessThanOrEqual(NOTIFY_PAYLOAD_LIMIT);
  });

  it('refuses one code unit more in any text field, control characters, and progress outside 0-100', () => {
    for (const [field, max] of Object.entries(NOTIFY_LIMITS)) expect(errors({ [field]: 'x'.repeat(max + 1) })).toEqual([field]);
    expect(errors({ message: '😀'.repeat(NOTIFY_LIMITS.message / 2 + 1) })).toEqual(['message']);
    // class-validator's Length would count this as one character.
    expect(errors({ message: 'a' + '\ufe0f'.repeat(NOTIFY_LIMITS.message) })).toEqual(['message']);
    expect(errors({ message: 'a\u0000b' })).toEqual(['message']);
    expect(errors({ progress: 100.01 })).toEqual(['progress']);
    expect(errors({ progress: -0.01 })).toEqual(['progress']);
    expect(errors({ progress: Number.NaN })).toEqual(['progress']);
    expect(errors({ progress: 0, message: 'x'.repeat(NOTIFY_LIMITS.message) })).toEqual([]);
  });
});
