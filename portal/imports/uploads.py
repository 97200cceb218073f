"""Stop reading an upload as soon as it passes the size limit, before it fills a disk."""

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Django keeps no per-file size limit: this handler drops a file once it exceeds
    ``IMPORT_MAX_UPLOAD_BYTES`` and marks the request so the view can say why."""

    def new_file(self, *args, **kwargs):
        self.received = 0
        return super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.IMPORT_MAX_UPLOAD_BYTES:
            self.request.upload_too_large = self.received
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)
