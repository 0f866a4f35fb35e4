/** A required environment variable, or an error naming it (a misconfigured function fails loudly on first use). */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set; the component sets it on the function`);
  return value;
}
