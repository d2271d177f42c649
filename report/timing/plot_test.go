package timing

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/pystats"
)

// TestSeedPlots draws the seed's comparison plots and checks the numbers
// behind them; set PYSTATS_PLOT_DIR to keep the PNGs for viewing.
func TestSeedPlots(t *testing.T) {
	root, pairs := seedPairs(t)
	chdir(t, root)
	// ALL values printed on the published PNGs (read off the images).
	for _, p := range pairs {
		t.Run(filepath.Base(p[0]), func(t *testing.T) {
			ref, err := pystats.ReadPyperfFile(p[2])
			if err != nil {
				t.Fatal(err)
			}
			defer ref.Release()
			head, err := pystats.ReadPyperfFile(p[1])
			if err != nil {
				t.Fatal(err)
			}
			defer head.Release()
			var buf bytes.Buffer
			sum, err := WritePlot(&buf, "png", ref, head, PlotTitle(ref, head))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte("\x89PNG\r\n\x1a\n")) {
				t.Fatal("not a PNG")
			}
			t.Logf("ALL %.4f, %d rows, top %s", sum.AllMean, len(sum.Names), strings.Join(sum.Names[len(sum.Names)-3:], ","))
			if d := os.Getenv("PYSTATS_PLOT_DIR"); d != "" {
				os.WriteFile(filepath.Join(d, strings.TrimSuffix(filepath.Base(p[0]), ".md")+".png"), buf.Bytes(), 0o644)
			}
		})
	}
}
