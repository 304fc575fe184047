/** SQLSTATE class 22 (data exception): the row itself is unstorable, retrying will not help. */
export const isDataError = (err: unknown) => /^22/.test(String((err as { code?: string }).code ?? ''));
