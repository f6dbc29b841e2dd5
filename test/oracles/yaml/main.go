// Command yaml-oracle answers, for each YAML document it reads, what sigs.k8s.io/yaml's
// YAMLToJSON makes of it: the conversion kubectl and the API server apply to a manifest before
// decoding it. It is a test peer for src/app/documents (test/yaml.differential.test.ts), never
// shipped.
//
// Input: one JSON string per line on stdin (JSON so that any content, newlines included,
// round-trips). Output: one JSON object per input line, in order:
//
//	{"json": <the document as JSON>}  on success
//	{"error": "..."}                   on failure
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

type answer struct {
	JSON  json.RawMessage `json:"json,omitempty"`
	Error *string         `json:"error,omitempty"`
}

func answerFor(input string) (a answer) {
	// go-yaml panics on a few inputs it should refuse; a panic is an error here.
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			a = answer{Error: &msg}
		}
	}()
	out, err := yaml.YAMLToJSON([]byte(input))
	if err != nil {
		msg := err.Error()
		return answer{Error: &msg}
	}
	return answer{JSON: out}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		var input string
		if err := json.Unmarshal(in.Bytes(), &input); err != nil {
			fmt.Fprintln(os.Stderr, "yaml-oracle: each line must be a JSON string:", err)
			os.Exit(2)
		}
		if err := enc.Encode(answerFor(input)); err != nil {
			fmt.Fprintln(os.Stderr, "yaml-oracle:", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "yaml-oracle:", err)
		os.Exit(2)
	}
}
