@sim @conformance
Feature: Conformance: what a chip does with each frame for it, in each mode
  docs/protocol.md §6.1, the table of message handling by mode: the rig brings chip1 into a mode, sends it one
  frame addressed to it from upstream, and checks what chip1 answers upstream, what it passes on downstream, and
  the mode it is in after. The rows left out here are checked by the other conformance features (a START in
  every mode, DATA as the target, COMPLETE in INITIAL and SLEEP, STATUS in INITIAL, UPGRADE and SLEEP, frames for
  others in every mode). The rig brings chip1 into PASS_THROUGH with a START for chip2, into UPGRADE with a START
  for chip1, and into SLEEP by upgrading it and then sending a START of that campaign for chip2.

  Background:
    Given the bench is powered on

  Scenario Outline: In <mode> mode a <frame> for the chip is answered with <answer>
    Given chip1 is in <mode> mode
    When the rig sends chip1 a <frame> for it from upstream
    Then chip1 answers <answer> upstream within 300 ms
    And chip1 passes <downstream> downstream within 300 ms
    And chip1 is in <after> mode

    Examples: answered
      | mode        | frame                          | answer                    | downstream | after       |
      | Initial     | DATA                           | DATA_ACK NotTarget        | nothing    | Initial     |
      | PassThrough | DATA                           | DATA_ACK NotTarget        | nothing    | PassThrough |
      | PassThrough | STATUS_REQ                     | STATUS_RSP                | nothing    | PassThrough |
      | PassThrough | BENCH_SET_OPERATING            | STATUS_RSP                | nothing    | PassThrough |
      | Upgrade     | BENCH_SET_OPERATING            | STATUS_RSP                | nothing    | Upgrade     |
      | PassThrough | PREPARE of the same campaign   | PREPARE_ACK RefusedBusy   | nothing    | PassThrough |
      | Upgrade     | PREPARE of the same campaign   | PREPARE_ACK RefusedBusy   | nothing    | Upgrade     |

    Examples: ignored
      | mode        | frame                          | answer                    | downstream | after       |
      | Sleep       | DATA                           | nothing                   | nothing    | Sleep       |
      | Sleep       | PREPARE of the same campaign   | nothing                   | nothing    | Sleep       |
      | Sleep       | START of another campaign      | nothing                   | nothing    | Sleep       |
      | Sleep       | BENCH_SET_OPERATING            | nothing                   | nothing    | Sleep       |
      | Initial     | START_ACK                      | nothing                   | nothing    | Initial     |
      | Initial     | DATA_ACK                       | nothing                   | nothing    | Initial     |
      | Initial     | STATUS_RSP                     | nothing                   | nothing    | Initial     |
      | Initial     | PREPARE_ACK                    | nothing                   | nothing    | Initial     |
      | Initial     | frame of unknown type 0x3C     | nothing                   | nothing    | Initial     |

    Examples: acted on
      | mode        | frame                          | answer                    | downstream | after       |
      | PassThrough | COMPLETE                       | nothing                   | the frame  | Initial     |
      | Upgrade     | COMPLETE                       | nothing                   | the frame  | Initial     |
      | PassThrough | PREPARE of another campaign    | PREPARE_ACK Ready         | a PREPARE  | Initial     |
