"""HTTP layer: routers, request/response schemas, auth and error mapping. Nothing else."""
