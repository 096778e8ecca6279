// Sends relmap events to `relmap ingest` through the CloudEvents Go SDK, in one content mode.
//
// Usage: cloudevents_go EVENTS.jsonl URL binary|structured|batched
//
// Each native event becomes the CloudEvent docs/events.md describes (id, source, type
// org.relmap.<type>.v1, time; the rest in data). binary is the SDK's default over HTTP; structured
// is asked for with WithEncodingStructured; batched is a JSON array of the SDK's events, 50 a request.
// Fails unless every answer is 200.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
)

var envelope = map[string]bool{"event_id": true, "type": true, "v": true, "occurred_at": true, "source": true}

func cloudEvent(line []byte) (cloudevents.Event, error) {
	var native map[string]any
	if err := json.Unmarshal(line, &native); err != nil {
		return cloudevents.Event{}, err
	}
	event := cloudevents.NewEvent()
	event.SetID(native["event_id"].(string))
	event.SetSource(native["source"].(string))
	event.SetType(fmt.Sprintf("org.relmap.%s.v1", native["type"]))
	occurred, err := time.Parse(time.RFC3339Nano, native["occurred_at"].(string))
	if err != nil {
		return cloudevents.Event{}, err
	}
	event.SetTime(occurred)
	data := map[string]any{}
	for key, value := range native {
		if !envelope[key] {
			data[key] = value
		}
	}
	return event, event.SetData(cloudevents.ApplicationJSON, data)
}

func post(url string, body []byte) error {
	answer, err := http.Post(url, "application/cloudevents-batch+json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer answer.Body.Close()
	if answer.StatusCode != http.StatusOK {
		return fmt.Errorf("batch answered %d", answer.StatusCode)
	}
	return nil
}

func run(path, url, mode string) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	var events []cloudevents.Event
	lines := bufio.NewScanner(file)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for lines.Scan() {
		event, err := cloudEvent(lines.Bytes())
		if err != nil {
			return err
		}
		events = append(events, event)
	}
	switch mode {
	case "binary", "structured":
		client, err := cloudevents.NewClientHTTP()
		if err != nil {
			return err
		}
		ctx := cloudevents.ContextWithTarget(context.Background(), url)
		if mode == "structured" {
			ctx = cloudevents.WithEncodingStructured(ctx)
		}
		for _, event := range events {
			result := client.Send(ctx, event)
			var answer *cehttp.Result
			if !cloudevents.ResultAs(result, &answer) || answer.StatusCode != http.StatusOK {
				return fmt.Errorf("event %s: %v", event.ID(), result)
			}
		}
	case "batched":
		for start := 0; start < len(events); start += 50 {
			end := min(start+50, len(events))
			body, err := json.Marshal(events[start:end])
			if err != nil {
				return err
			}
			if err := post(url, body); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("no mode %s", mode)
	}
	fmt.Printf("cloudevents_go: %d events sent in %s mode\n", len(events), mode)
	return nil
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: cloudevents_go EVENTS.jsonl URL binary|structured|batched")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "cloudevents_go:", err)
		os.Exit(1)
	}
}
