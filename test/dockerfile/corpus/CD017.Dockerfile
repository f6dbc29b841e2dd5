FROM debian:12
# expect CD017
RUN sudo chown app /srv
# expect CD017
RUN set -e; /usr/bin/sudo -u app touch /x
RUN echo sudo is a word here
# expect CD017
RUN DEBIAN_FRONTEND=noninteractive sudo apt-get upgrade
RUN useradd app && echo 'app ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/app
USER app
