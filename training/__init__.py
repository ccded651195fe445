"""heard's training and research code: not part of the installed package.

The runtime (``src/heard``) labels text with the bundled encoder and heads; this
package, kept in the repository only, builds them and measures them:

- ``data/``: the units written for heard and the codes of real public posts (``DATASHEET.md``);
- :mod:`training.weak`: weak supervision from the public datasets' own labels;
- :mod:`training.public_codes`: heard's hand codes of public posts, joined to their texts;
- :mod:`training.corpus`: all training rows together, gold excluded;
- :mod:`training.build_heads`: rebuild ``src/heard/resources/heads``;
- :mod:`training.finetune_encoder`, :mod:`training.export_encoder`: rebuild the encoder;
- :mod:`training.ablate_heads`, :mod:`training.bounds`, :mod:`training.tweeteval`:
  the measurements behind ``docs/model.md``;
- :mod:`training.merge_public_codes`: merge coders' files, with agreement.

Run any of them from the repository root with ``python -m training.NAME --help``.
The runtime never imports this package (a test checks it).
"""
