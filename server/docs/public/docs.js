// Starts Swagger UI on the API's own document (a file, so the page needs no inline script).
/* global SwaggerUIBundle */
SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#docs' });
