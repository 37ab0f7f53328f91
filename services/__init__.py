"""The application layer's shared plumbing (the services themselves live beside their domain: `<domain>/service`)."""
