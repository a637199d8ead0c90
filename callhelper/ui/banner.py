"""Where the call window's banners appear mid-call (the response to a flag, the suggestion
to hand over, the senior's script): below the checklist, so a banner appearing never moves
the checklist under the agent's eyes; the notes list gives up the room.

The banners wrap their words; a long one is never cut off: the area grows up to a quarter of
the window and scrolls beyond that.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

#: The most of the window's height the banners take before they scroll.
MOST_OF_WINDOW = 1 / 4


class BannerArea(QScrollArea):
    """Shown while one of ``banners`` is; as tall as their words, up to a quarter of the
    window."""

    def __init__(self, banners: list[QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banners")
        self._banners = banners
        self._in_call = False
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        for banner in banners:
            layout.addWidget(banner)
            banner.installEventFilter(self)
        content.installEventFilter(self)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.hide()

    def set_in_call(self, in_call: bool) -> None:
        """The banners are for the call: not shown in the wrap-up or between calls."""
        self._in_call = in_call
        self._follow_banners()

    def _follow_banners(self) -> None:
        self.setVisible(self._in_call and any(not banner.isHidden()
                                              for banner in self._banners))
        self.updateGeometry()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            self._follow_banners()
        elif event.type() == QEvent.Type.LayoutRequest and watched is self.widget():
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def _words_height(self) -> int:
        content = self.widget()
        width = self.viewport().width() if self.isVisible() else self.width()
        layout = content.layout()
        if layout.hasHeightForWidth() and width > 0:
            return layout.totalHeightForWidth(width)
        return content.sizeHint().height()

    def sizeHint(self) -> QSize:
        most = int(self.window().height() * MOST_OF_WINDOW)
        return QSize(super().sizeHint().width(), min(self._words_height(), max(most, 1)))

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), min(self.sizeHint().height(),
                                                            4 * self.fontMetrics().height()))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # the words take another height at another width
