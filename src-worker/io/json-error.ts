/**
 * Why a JSON text did not parse, without quoting the text. Node's JSON.parse messages embed the start of
 * the input (`Unexpected token 'r', "root:x:0:0:"... is not valid JSON`): passed on in an error, that
 * would show the contents of whatever file a caller named (an API client naming /etc/passwd as a model
 * config, say). Only the position survives.
 */
export function jsonSyntaxProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/end of JSON input/i.test(message)) return 'the text ends before the JSON does';
  const at = /position (\d+)/.exec(message);
  return at ? `a syntax error at character ${at[1]}` : 'a syntax error';
}
