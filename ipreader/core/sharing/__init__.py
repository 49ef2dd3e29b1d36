"""Sharing a folder's store through git or a sync tool (no Textual, no store internals).

* ``three_way``: merge two versions of one TinyDB file record by record, against
  their common ancestor when there is one (``rules`` decides a record both
  sides changed);
* ``layout``: the deterministic bytes of a merged file, and which store
  directory a file belongs to;
* ``conflict_log``: ``conflicts.json`` in the store directory, the versions a
  merge did not keep;
* ``driver``: ``ipreader merge-driver``, git's merge driver protocol;
* ``sync_copies``: the conflict copies Syncthing, Dropbox and Nextcloud leave,
  merged into their original when a store is opened;
* ``duplicates``: one document registered twice (by two coders) joined into one.
"""
