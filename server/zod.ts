// zod with OpenAPI metadata (`.openapi(...)`), imported by every schema module so one registry describes the API.
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
