"""Media storage that never leaves a half-written file behind.

When the disk fills up (or any other write error) in the middle of a file, Django's
FileSystemStorage keeps what it wrote so far. This one removes that partial file and re-raises,
so the caller's transaction rolls back and nothing of the upload remains.
"""

import contextlib
import os

from django.core.files.storage import FileSystemStorage


class MediaStorage(FileSystemStorage):
    def _save(self, name, content):
        path = self.path(name)
        existed = os.path.lexists(path)
        try:
            return super()._save(name, content)
        except FileExistsError:
            raise
        except OSError:
            # `save()` chose a free name just before; a file there now is the one we started.
            if not existed:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
            raise
