// Command reference-oracle answers, for each image reference it reads, what
// github.com/distribution/reference's ParseNormalizedNamed makes of it. It is a test peer for
// src/core/reference (test/reference.differential.test.ts), never shipped.
//
// Input: one JSON string per line on stdin (JSON so that any content, including newlines and
// control characters, round-trips). Output: one JSON object per input line, in order:
//
//	{"input","normalized","familiar","domain","path","tag"?,"digest"?}  on success
//	{"input","error"}                                                    on failure
package main

import (
	"bufio"
	// go-digest only accepts algorithms whose hash is linked in; container runtimes link
	// sha256 and sha512 (which also provides sha384), so the oracle does too.
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/json"
	"fmt"
	"os"

	"github.com/distribution/reference"
)

type answer struct {
	Input      string  `json:"input"`
	Normalized *string `json:"normalized,omitempty"`
	Familiar   *string `json:"familiar,omitempty"`
	Domain     *string `json:"domain,omitempty"`
	Path       *string `json:"path,omitempty"`
	Tag        *string `json:"tag,omitempty"`
	Digest     *string `json:"digest,omitempty"`
	Error      *string `json:"error,omitempty"`
}

func ptr(s string) *string { return &s }

func answerFor(input string) answer {
	ref, err := reference.ParseNormalizedNamed(input)
	if err != nil {
		return answer{Input: input, Error: ptr(err.Error())}
	}
	a := answer{
		Input:      input,
		Normalized: ptr(ref.String()),
		Familiar:   ptr(reference.FamiliarString(ref)),
		Domain:     ptr(reference.Domain(ref)),
		Path:       ptr(reference.Path(ref)),
	}
	if tagged, ok := ref.(reference.Tagged); ok {
		a.Tag = ptr(tagged.Tag())
	}
	if digested, ok := ref.(reference.Digested); ok {
		a.Digest = ptr(digested.Digest().String())
	}
	return a
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	// Lines hold at most a few KiB of reference, JSON-escaped (up to 6 bytes per character).
	in.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	line := 0
	for in.Scan() {
		line++
		var input string
		if err := json.Unmarshal(in.Bytes(), &input); err != nil {
			fmt.Fprintf(os.Stderr, "reference-oracle: line %d is not a JSON string: %v\n", line, err)
			os.Exit(2)
		}
		if err := enc.Encode(answerFor(input)); err != nil {
			fmt.Fprintf(os.Stderr, "reference-oracle: %v\n", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "reference-oracle: reading stdin: %v\n", err)
		os.Exit(2)
	}
}
