// Command charts draws the benchmark results as SVG charts with
// gonum.org/v1/plot: one for the service table (req/s and p99 of each
// server as a ratio to the net/http ceiling, per token mix) and one per
// curve, from every BenchmarkCurve<Name>/<series>/n=<N> line of raw
// go test -bench output (medians over -count runs); a series named
// "*-bytes", whose n is a size in bytes, is charted on its own. Curves with a memory
// metric (B/token, B/entry, B/pool, else B/op) get a memory chart too, and
// those reporting held-MiB and bound-MiB a chart of the bound holding.
// Rerunning it on new raw results redraws every chart.
//
//	go run ./charts -service ../results/service-raw.txt -bench ../results/curves.txt -out ../results
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

func main() {
	service := flag.String("service", "", "raw output of the service command (its -raw file)")
	bench := flag.String("bench", "", "comma-separated raw go test -bench files holding BenchmarkCurve* lines")
	out := flag.String("out", ".", "folder for the chart files")
	flag.StringVar(&format, "format", "svg", "svg, or png to look at them without a browser")
	flag.StringVar(&curvesMD, "curves-md", "", "also write the curves' medians as markdown tables to this file")
	flag.Parse()
	if *service == "" && *bench == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*service, *bench, *out); err != nil {
		fmt.Fprintln(os.Stderr, "charts:", err)
		os.Exit(1)
	}
}

// format is the charts' file type, and extension; curvesMD, when set, the
// file for the curves' tables.
var format, curvesMD = "svg", ""

func run(service, bench, out string) error {
	if service != "" {
		cells, err := readService(service)
		if err != nil {
			return err
		}
		if err := drawService(cells, filepath.Join(out, "service."+format)); err != nil {
			return err
		}
	}
	if bench == "" {
		return nil
	}
	var points []point
	for _, f := range strings.Split(bench, ",") {
		p, err := readCurves(f)
		if err != nil {
			return err
		}
		points = append(points, p...)
	}
	if len(points) == 0 {
		return errors.New("no BenchmarkCurve lines in " + bench)
	}
	if curvesMD != "" {
		if err := os.WriteFile(curvesMD, []byte(curveTables(points)), 0o644); err != nil {
			return err
		}
	}
	return drawCurves(points, out)
}

// curveTables writes, per curve and series, one row per n with the median
// of every metric reported, the metrics in a fixed order.
func curveTables(points []point) string {
	type key struct{ curve, series string }
	var keys []key
	var units []string
	vals := map[key]map[float64]map[string][]float64{}
	for _, p := range points {
		k := key{p.curve, p.series}
		if vals[k] == nil {
			vals[k] = map[float64]map[string][]float64{}
			keys = append(keys, k)
		}
		if vals[k][p.n] == nil {
			vals[k][p.n] = map[string][]float64{}
		}
		for u, v := range p.metrics {
			vals[k][p.n][u] = append(vals[k][p.n][u], v)
			if !slices.Contains(units, u) {
				units = append(units, u)
			}
		}
	}
	slices.Sort(units)
	var b strings.Builder
	for _, k := range keys {
		var ns []float64
		var mine []string
		for n, m := range vals[k] {
			ns = append(ns, n)
			for u := range m {
				if !slices.Contains(mine, u) && u != "MB/s" {
					mine = append(mine, u)
				}
			}
		}
		slices.Sort(ns)
		slices.SortFunc(mine, func(a, b string) int { return slices.Index(units, a) - slices.Index(units, b) })
		title := "BenchmarkCurve" + k.curve
		if k.series != "" {
			title += "/" + k.series
		}
		fmt.Fprintf(&b, "%s (medians)\n\n| n | %s |\n|---:|%s\n", title, strings.Join(mine, " | "), strings.Repeat("---:|", len(mine)))
		for _, n := range ns {
			row := []string{strconv.FormatFloat(n, 'f', -1, 64)}
			for _, u := range mine {
				v, ok := vals[k][n][u]
				if !ok {
					row = append(row, "")
					continue
				}
				row = append(row, number(median(v)))
			}
			fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// cell is one line "cell round=R mix=M stack=S ... rps=X p99_us=Y ...".
type cell struct {
	round      int
	mix, stack string
	rps, p99   float64
}

func readService(path string) ([]cell, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cells []cell
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || fields[0] != "cell" {
			continue
		}
		kv := map[string]string{}
		for _, f := range fields[1:] {
			k, v, _ := strings.Cut(f, "=")
			kv[k] = v
		}
		c := cell{mix: kv["mix"], stack: kv["stack"]}
		c.round, _ = strconv.Atoi(kv["round"])
		c.rps, _ = strconv.ParseFloat(kv["rps"], 64)
		c.p99, _ = strconv.ParseFloat(kv["p99_us"], 64)
		cells = append(cells, c)
	}
	if len(cells) == 0 {
		return nil, errors.New("no cell lines in " + path)
	}
	return cells, sc.Err()
}

const ceiling = "nethttp-none"

// drawService draws, per mix, each stack's median per-round ratio to the
// ceiling: req/s (higher is better) and p99 latency (lower is better).
func drawService(cells []cell, path string) error {
	var mixes, stacks []string
	for _, c := range cells {
		if !slices.Contains(mixes, c.mix) {
			mixes = append(mixes, c.mix)
		}
		if !slices.Contains(stacks, c.stack) {
			stacks = append(stacks, c.stack)
		}
	}
	ceil := map[[2]string]cell{}
	for _, c := range cells {
		if c.stack == ceiling {
			ceil[[2]string{c.mix, strconv.Itoa(c.round)}] = c
		}
	}
	ratios := func(mix, stack string, of func(cell) float64) float64 {
		var v []float64
		for _, c := range cells {
			base, ok := ceil[[2]string{mix, strconv.Itoa(c.round)}]
			if c.mix == mix && c.stack == stack && ok && of(base) > 0 {
				v = append(v, of(c)/of(base))
			}
		}
		return median(v)
	}
	// Stacks are listed top to bottom in the order of the table.
	slices.Reverse(stacks)
	plots := make([][]*plot.Plot, 1)
	for _, metric := range []struct {
		title string
		of    func(cell) float64
	}{
		{"req/s ÷ net/http ceiling (higher is better)", func(c cell) float64 { return c.rps }},
		{"p99 latency ÷ net/http ceiling (lower is better)", func(c cell) float64 { return c.p99 }},
	} {
		p := plot.New()
		p.Title.Text = metric.title
		p.Legend.Top = true
		w := vg.Points(7)
		top := 0.0
		for i, mix := range mixes {
			var vals plotter.Values
			for _, s := range stacks {
				r := ratios(mix, s, metric.of)
				if math.IsNaN(r) {
					r = 0
				}
				vals = append(vals, r)
				top = max(top, r)
			}
			bars, err := plotter.NewBarChart(vals, w)
			if err != nil {
				return err
			}
			bars.Horizontal = true
			bars.LineStyle.Width = 0
			bars.Color = plotutil.Color(i)
			bars.Offset = vg.Length(float64(i)-float64(len(mixes)-1)/2) * w
			p.Add(bars)
			p.Legend.Add(mix, bars)
		}
		p.Add(plotter.NewGrid())
		p.NominalY(stacks...)
		p.X.Min, p.X.Max = 0, top*1.35 // room for the legend
		plots[0] = append(plots[0], p)
	}
	return saveTable(plots, 16*vg.Centimeter*2, 14*vg.Centimeter, path)
}

// point is one benchmark result line of a curve.
type point struct {
	curve, series string
	n             float64
	metrics       map[string]float64
}

var curveLine = regexp.MustCompile(`^BenchmarkCurve([A-Za-z0-9]+)/(?:(.+)/)?n=([0-9]+)(?:-[0-9]+)?\s+[0-9]+\s+(.*)$`)

func readCurves(path string) ([]point, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []point
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		m := curveLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		n, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			continue
		}
		p := point{curve: m[1], series: m[2], n: n, metrics: map[string]float64{}}
		fields := strings.Fields(m[4])
		for i := 0; i+1 < len(fields); i += 2 {
			if v, err := strconv.ParseFloat(fields[i], 64); err == nil {
				p.metrics[fields[i+1]] = v
			}
		}
		out = append(out, p)
	}
	return out, sc.Err()
}

// series holds one line of a chart: n → the values seen (one per run).
type series map[float64][]float64

func (s series) xys() plotter.XYs {
	var xs []float64
	for n := range s {
		xs = append(xs, n)
	}
	slices.Sort(xs)
	var out plotter.XYs
	for _, x := range xs {
		if y := median(s[x]); y > 0 {
			out = append(out, plotter.XY{X: x, Y: y})
		}
	}
	return out
}

// drawCurves writes curve-<Name>.svg for every curve, and its memory and
// bound charts when it reports those metrics.
func drawCurves(points []point, out string) error {
	// A series named "*-bytes" counts n in bytes, not in the curve's own
	// unit: it gets charts of its own.
	group := func(p point) string {
		if strings.HasSuffix(p.series, "-bytes") {
			return p.curve + "-" + p.series
		}
		return p.curve
	}
	var curves []string
	for _, p := range points {
		if !slices.Contains(curves, group(p)) {
			curves = append(curves, group(p))
		}
	}
	for _, name := range curves {
		var mine []point
		for _, p := range points {
			if group(p) == name {
				mine = append(mine, p)
			}
		}
		has := func(unit string) bool {
			for _, p := range mine {
				if _, ok := p.metrics[unit]; ok {
					return true
				}
			}
			return false
		}
		primary, ylabel := "ns/op", "ns per operation"
		if has("verifies/s") {
			primary, ylabel = "verifies/s", "verifies per second"
		}
		charts := []struct {
			file, title, ylabel string
			units               []string
		}{{"curve-" + name + "." + format, name + ": " + primary, ylabel, []string{primary}}}
		for _, unit := range []string{"B/token", "B/entry", "B/pool", "B/op"} {
			if has(unit) && (unit != "B/op" || primary == "ns/op") {
				charts = append(charts, struct {
					file, title, ylabel string
					units               []string
				}{"curve-" + name + "-memory." + format, name + ": " + unit, "bytes", []string{unit}})
				break
			}
		}
		if has("held-MiB") && has("bound-MiB") {
			units := []string{"held-MiB", "bound-MiB"}
			if has("heap-MiB") {
				units = append(units, "heap-MiB")
			}
			charts = append(charts, struct {
				file, title, ylabel string
				units               []string
			}{"curve-" + name + "-bound." + format, name + ": memory held against the bound", "MiB", units})
		}
		for _, c := range charts {
			if err := drawCurve(mine, c.title, c.ylabel, c.units, filepath.Join(out, c.file)); err != nil {
				return fmt.Errorf("%s: %w", c.file, err)
			}
		}
	}
	return nil
}

func drawCurve(points []point, title, ylabel string, units []string, path string) error {
	lines := map[string]series{}
	var names []string
	for _, p := range points {
		for _, unit := range units {
			v, ok := p.metrics[unit]
			if !ok {
				continue
			}
			name := p.series
			if len(units) > 1 {
				name = strings.TrimSpace(p.series + " " + unit)
			}
			if name == "" {
				name = p.curve
			}
			if lines[name] == nil {
				lines[name] = series{}
				names = append(names, name)
			}
			lines[name][p.n] = append(lines[name][p.n], v)
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "n"
	if strings.HasSuffix(path, "-bytes."+format) || strings.Contains(path, "-bytes-") {
		p.X.Label.Text = "n (bytes)"
	}
	p.Y.Label.Text = ylabel
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	logY := true
	for _, name := range names {
		for _, xy := range lines[name].xys() {
			if xy.Y <= 0 {
				logY = false
			}
		}
	}
	if logY {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	for i, name := range names {
		xys := lines[name].xys()
		if len(xys) == 0 {
			continue
		}
		l, s, err := plotter.NewLinePoints(xys)
		if err != nil {
			return err
		}
		l.Color = plotutil.Color(i)
		s.Color = l.Color
		s.Shape = plotutil.Shape(i)
		p.Add(l, s)
		p.Legend.Add(name, l, s)
	}
	// Headroom above the lines for the legend.
	if logY {
		p.Y.Max *= 4
	} else {
		p.Y.Max += (p.Y.Max - p.Y.Min) / 4
	}
	return p.Save(16*vg.Centimeter, 10*vg.Centimeter, path)
}

// number formats a table value: whole numbers from 100 up, three
// significant digits below.
func number(v float64) string {
	if math.Abs(v) >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// saveTable saves plots side by side in one SVG.
func saveTable(plots [][]*plot.Plot, w, h vg.Length, path string) error {
	var img interface {
		vg.CanvasSizer
		io.WriterTo
	}
	if format == "png" {
		img = vgimg.PngCanvas{Canvas: vgimg.New(w, h)}
	} else {
		img = vgsvg.New(w, h)
	}
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(plots), Cols: len(plots[0]), PadX: vg.Centimeter, PadY: vg.Centimeter,
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(4)}
	canvases := plot.Align(plots, tiles, dc)
	for j := range plots {
		for i := range plots[j] {
			plots[j][i].Draw(canvases[j][i])
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := img.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
