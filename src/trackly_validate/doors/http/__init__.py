"""The HTTP face: how every HTTP door (the httpx and requests hooks, FastAPI ``install()``,
the stand-in and the proxy) reads a request and answers it.

- :mod:`.reader`: request bodies as express.json reads them (types, charsets, encodings,
  the 5 MiB limit);
- :mod:`.gate`: a request to a modelled endpoint judged in the server's middleware order
  (body parser, key, account, rules; bulk partial success);
- :mod:`.answer`: the one error answer.

The core (``tv.check`` and the body face) never imports this package's doors' libraries.
"""
