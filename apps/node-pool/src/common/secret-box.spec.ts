import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  it('opens what it sealed, and refuses another secret or altered text', () => {
    const box = new SecretBox('a'.repeat(32));
    const sealed = box.seal('private key');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('private key');
    expect(box.seal('private key')).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed)).toBe('private key');
    expect(() => new SecretBox('b'.repeat(32)).open(sealed)).toThrow();
    const [v, iv, tag, body] = sealed.split(':');
    const flipped = Buffer.from(body, 'base64');
    flipped[0] ^= 1;
    expect(() => box.open([v, iv, tag, flipped.toString('base64')].join(':'))).toThrow();
    expect(() => box.open('garbage')).toThrow('not a sealed secret');
  });

  it('derives a separate key per purpose from one secret', () => {
    const sealed = new SecretBox('a'.repeat(32), 'one purpose').seal('value');
    expect(new SecretBox('a'.repeat(32), 'one purpose').open(sealed)).toBe('value');
    expect(() => new SecretBox('a'.repeat(32), 'another purpose').open(sealed)).toThrow();
  });
});
