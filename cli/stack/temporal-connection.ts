// The Temporal server every component talks to: TEMPORAL_ADDRESS, else the local dev server on TEMPORAL_PORT.
import type { Config } from '../../common/config';

export const temporalAddress = (config: Config) => config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`;

/** The Web UI: TEMPORAL_UI_URL, else the dev server's own UI when we run it. */
export const temporalUiUrl = (config: Config) =>
  config.TEMPORAL_UI_URL ?? (config.TEMPORAL_ADDRESS ? undefined : `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`);
