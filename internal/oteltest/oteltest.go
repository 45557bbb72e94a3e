// Package oteltest reads back what this module's packages record through
// the OpenTelemetry API, for their tests: an SDK MeterProvider with a
// manual reader and an SDK TracerProvider with a span recorder. Only tests
// import it; the library itself depends on the API alone.
package oteltest

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Recorder holds the two SDK providers and what they recorded.
type Recorder struct {
	MeterProvider  *sdkmetric.MeterProvider
	TracerProvider *sdktrace.TracerProvider
	reader         *sdkmetric.ManualReader
	spans          *tracetest.SpanRecorder
}

// New returns a Recorder whose providers shut down at the end of the test.
// Every span is sampled.
func New(t testing.TB) *Recorder {
	t.Helper()
	r := &Recorder{reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder()}
	r.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	r.TracerProvider = sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSpanProcessor(r.spans))
	t.Cleanup(func() {
		r.MeterProvider.Shutdown(context.Background())
		r.TracerProvider.Shutdown(context.Background())
	})
	return r
}

// Collect reads every metric now.
func (r *Recorder) Collect(t testing.TB) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("ManualReader.Collect: %v", err)
	}
	return rm
}

// Spans returns the spans ended so far.
func (r *Recorder) Spans() []sdktrace.ReadOnlySpan { return r.spans.Ended() }

// Key renders an attribute set as "k=v,k=v", sorted by key: the keys of
// the maps below.
func Key(s attribute.Set) string { return s.Encoded(attribute.DefaultEncoder()) }

// Find returns the metric named name, if recorded.
func Find(rm metricdata.ResourceMetrics, name string) (metricdata.Metrics, bool) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m, true
			}
		}
	}
	return metricdata.Metrics{}, false
}

// Ints returns the int64 sum or gauge named name, by attribute set (Key);
// an empty map when it has no data point.
func (r *Recorder) Ints(t testing.TB, name string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	m, ok := Find(r.Collect(t), name)
	if !ok {
		return out
	}
	var points []metricdata.DataPoint[int64]
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		if !d.IsMonotonic {
			t.Errorf("%s: sum is not monotonic", name)
		}
		points = d.DataPoints
	case metricdata.Gauge[int64]:
		points = d.DataPoints
	default:
		t.Fatalf("%s: data is %T, want an int64 sum or gauge", name, m.Data)
	}
	for _, p := range points {
		out[Key(p.Attributes)] += p.Value
	}
	return out
}

// Histogram returns the float64 histogram named name's data points by
// attribute set (Key).
func (r *Recorder) Histogram(t testing.TB, name string) map[string]metricdata.HistogramDataPoint[float64] {
	t.Helper()
	out := map[string]metricdata.HistogramDataPoint[float64]{}
	m, ok := Find(r.Collect(t), name)
	if !ok {
		return out
	}
	h, ok := m.Data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("%s: data is %T, want a float64 histogram", name, m.Data)
	}
	for _, p := range h.DataPoints {
		out[Key(p.Attributes)] = p
	}
	return out
}

// AttributeValues returns every attribute value recorded so far, as text:
// those of metric data points, spans and span events.
func (r *Recorder) AttributeValues(t testing.TB) []string {
	t.Helper()
	var out []string
	add := func(kvs ...attribute.KeyValue) {
		for _, kv := range kvs {
			out = append(out, kv.Value.Emit())
		}
	}
	for _, sm := range r.Collect(t).ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					add(p.Attributes.ToSlice()...)
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					add(p.Attributes.ToSlice()...)
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					add(p.Attributes.ToSlice()...)
				}
			default:
				t.Fatalf("%s: unexpected data %T", m.Name, m.Data)
			}
		}
	}
	for _, s := range r.Spans() {
		add(s.Attributes()...)
		for _, e := range s.Events() {
			add(e.Attributes...)
		}
	}
	return out
}
