/** Tool name and version recorded in every verdict, statement and report. */
export const TOOL_NAME = 'model-customs';
/** Keep in step with package.json `version`. */
export const TOOL_VERSION = '0.1.0';
