/** Usernames: 3–32 characters of [a-z0-9_.-], compared case-insensitively. */
export const USERNAME_PATTERN = /^[a-z0-9_.-]{3,32}$/;
export const USERNAME_RULE = '3 to 32 characters: lowercase letters, digits, "_", "." or "-"';
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}
