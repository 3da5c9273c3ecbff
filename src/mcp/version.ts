/** The version the MCP server reports (Vigil's). */
export const VIGIL_MCP_VERSION = '0.1.0';
