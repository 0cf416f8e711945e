package hearing

// The media stack this package is built on (issue 5). Imported here so the
// module keeps them pinned while the package grows; see docs/architecture.md.
import (
	_ "github.com/gofiber/contrib/websocket"
	_ "github.com/pion/turn/v5"
	_ "github.com/pion/webrtc/v4"
)
