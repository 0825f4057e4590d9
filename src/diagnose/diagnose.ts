export async function diagnoseRun(_p: unknown, _r: string): Promise<void> {}
