/** A problem with a piece of text a person typed, or undefined when it is fine. */
export function checkText(value: string, what: string, maxLength: number): string | undefined {
  if (typeof value !== 'string') return `${what} must be text`;
  const trimmed = value.trim();
  if (trimmed.length === 0) return `${what} must not be empty`;
  if (trimmed.length > maxLength) return `${what} must be at most ${maxLength} characters`;
  // Control characters would corrupt terminals and logs that show the text.
  if (/\p{Cc}/u.test(trimmed)) return `${what} must not contain control characters`;
  return undefined;
}
