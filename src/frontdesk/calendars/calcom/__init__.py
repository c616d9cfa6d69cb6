"""Cal.com (hosted API v2) as the business's calendar: client, models, error mapping."""
