"""Files of restricted collections: stored privately, served only after the policy says yes.

- :mod:`.storage` routes a file name to the public or the private storage.
- :mod:`.placement` decides where a document, image or rendition belongs and moves it.
- :mod:`.access` asks the policy whether this request may have the file.
- :mod:`.serving` and :mod:`.views` build the gated responses.

See docs/how-to/gating.md ("Files") and docs/how-to/serve-private-files.md.
"""
