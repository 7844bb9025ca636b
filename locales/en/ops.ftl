ops-unavailable = The service is temporarily unavailable. Please try again in a few seconds.
